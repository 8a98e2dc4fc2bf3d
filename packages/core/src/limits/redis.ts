import { type ScriptRunner, unavailable } from "../event-log/redis/engine.ts";
import { checkPrefix, ownerTag } from "../event-log/redis/keys.ts";
import type { HoldResult, Limiter, LimiterOptions, RateRule, SlotRule, TakeResult } from "./limiter.ts";
import { HOLD, RELEASE, TAKE } from "./scripts.ts";

/**
 * The limits' state in Redis, shared by every process and function that uses the same
 * database: through the event log's script runner (ioredis over TCP, or Upstash's REST
 * API), so it opens no connection of its own. Each call is one script call, which is
 * one command sent (what Upstash bills). Keys, all tagged with the scope's hash tag (the
 * owner tag of keys.ts, so a session's limits share the slot of its threads):
 * - `{prefix}:{tag}:limit:{scope}:{rule}:{key}`: a rate's theoretical arrival time,
 *   expiring when it no longer holds anything back;
 * - `{prefix}:{tag}:limit:{scope}:{rule}`: a sorted set of held slots by expiry.
 */
export class RedisLimiter implements Limiter {
  private readonly now: () => number;

  constructor(
    private readonly runner: ScriptRunner,
    private readonly prefix: string,
    options: LimiterOptions = {},
  ) {
    checkPrefix(prefix);
    this.now = options.now ?? Date.now;
  }

  async take(scope: string, rules: readonly RateRule[]): Promise<TakeResult> {
    if (rules.length === 0) return { ok: true };
    const keys = rules.map((rule) => `${this.scopeKey(scope, rule.name)}:${rule.key}`);
    const args = [this.now(), ...rules.flatMap((rule) => [rule.limit, rule.windowMs])];
    const [index, waitMs] = (await this.run(TAKE, keys, args)) as [number, number];
    const rule = rules[Number(index) - 1];
    return rule ? { ok: false, rule, retryAfterMs: Number(waitMs) } : { ok: true };
  }

  async hold(scope: string, rule: SlotRule, id: string, ttlMs: number): Promise<HoldResult> {
    const now = this.now();
    const [held, waitMs] = (await this.run(HOLD, [this.scopeKey(scope, rule.name)], [now, rule.max, id, now + ttlMs])) as [number, number];
    return Number(held) === 1 ? { ok: true } : { ok: false, retryAfterMs: Number(waitMs) };
  }

  async release(scope: string, name: string, id: string): Promise<void> {
    await this.run(RELEASE, [this.scopeKey(scope, name)], [id]);
  }

  private scopeKey(scope: string, name: string): string {
    return `${this.prefix}:{${ownerTag(scope)}}:limit:${scope}:${name}`;
  }

  private async run(script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await this.runner.run(script, keys, args);
    } catch (cause) {
      throw unavailable(cause);
    }
  }
}

/** Creates a limiter over `runner` (an event log's: see `RedisEventLog.scriptRunner`), its keys under `prefix`. */
export function createRedisLimiter(runner: ScriptRunner, prefix: string, options: LimiterOptions = {}): RedisLimiter {
  return new RedisLimiter(runner, prefix, options);
}
