import type { LimitsConfig } from "../config/config.ts";
import { RateLimitedError } from "../errors/index.ts";
import type { Limiter, RateRule, SlotRule } from "./limiter.ts";

/**
 * Every limit a session meets, by name (the `limit` of a 429), with the setting that
 * sets it and how a refusal says it: README "Limits" lists the same.
 */
export const LIMITS = {
  session_sends: { variable: "LIMIT_SENDS_PER_MINUTE", what: "sends from this session", per: "a minute" },
  thread_sends: { variable: "LIMIT_THREAD_SENDS_PER_MINUTE", what: "sends into this thread", per: "a minute" },
  session_threads: { variable: "LIMIT_THREADS_PER_HOUR", what: "new threads from this session", per: "an hour" },
  session_streams: { variable: "LIMIT_STREAMS_PER_SESSION", what: "open streams for this session", per: "at once" },
} as const;

export type LimitName = keyof typeof LIMITS;

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** The longest `Retry-After` a full set of slots answers with: a stream may end at any moment, its slot with it. */
const SLOT_RETRY_MAX_MS = 10_000;

const rate = (name: LimitName, key: string, limit: number, windowMs: number): RateRule[] =>
  limit > 0 ? [{ name, key, limit, windowMs }] : [];

/** What a send or a regeneration takes: one of the session's sends and one of the thread's. */
export function sendRules(limits: LimitsConfig, sessionId: string, threadId: string): RateRule[] {
  return [
    ...rate("session_sends", sessionId, limits.sessionSendsPerMinute, MINUTE),
    ...rate("thread_sends", threadId, limits.threadSendsPerMinute, MINUTE),
  ];
}

/** What creating a thread takes. */
export function threadRules(limits: LimitsConfig, sessionId: string): RateRule[] {
  return rate("session_threads", sessionId, limits.threadsPerHour, HOUR);
}

/** The slots of a session's open streams; null when unlimited. */
export function streamSlots(limits: LimitsConfig): SlotRule | null {
  return limits.streamsPerSession > 0 ? { name: "session_streams", max: limits.streamsPerSession } : null;
}

/**
 * Takes `rules` for `sessionId` (one step: see `Limiter.take`).
 * @throws RateLimitedError naming the limit, its setting, and when to ask again.
 */
export async function takeOrRefuse(limiter: Limiter, sessionId: string, rules: readonly RateRule[]): Promise<void> {
  if (rules.length === 0) return;
  const result = await limiter.take(sessionId, rules);
  if (result.ok) return;
  const name = result.rule.name as LimitName;
  throw refusal(name, result.rule.limit, "", result.retryAfterMs);
}

/**
 * Holds one of the session's stream slots for stream `id` (null `rule`: unlimited), for at
 * most `ttlMs`. Resolves its release (idempotent, never rejects).
 * @throws RateLimitedError when the session holds its most streams already.
 */
export async function holdOrRefuse(
  limiter: Limiter,
  sessionId: string,
  rule: SlotRule | null,
  id: string,
  ttlMs: number,
): Promise<() => Promise<void>> {
  if (!rule) return NOTHING_HELD;
  const result = await limiter.hold(sessionId, rule, id, ttlMs);
  if (!result.ok) {
    throw refusal("session_streams", rule.max, "close one, or ", Math.min(result.retryAfterMs, SLOT_RETRY_MAX_MS));
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    await limiter.release(sessionId, rule.name, id).catch(() => {}); // the slot's time ends it anyway
  };
}

/** The release of a slot that was never held (no limit). */
const NOTHING_HELD = async () => {};

/** E.g. "too many sends into this thread: at most 20 a minute (LIMIT_THREAD_SENDS_PER_MINUTE); try again in 3 s". */
function refusal(name: LimitName, limit: number, hint: string, retryAfterMs: number): RateLimitedError {
  const { variable, what, per } = LIMITS[name];
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new RateLimitedError(`too many ${what}: at most ${limit} ${per} (${variable}); ${hint}try again in ${seconds} s`, {
    limit: name,
    retryAfterSeconds: seconds,
  });
}
