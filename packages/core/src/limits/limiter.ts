/**
 * A rate: a burst of up to `limit`, refilled at `limit` per `windowMs` (GCRA, see gcra.ts):
 * so never more than `limit` at once, and `limit` per window over time.
 */
export interface RateRule {
  /** Which limit, as data (`RateLimitedError.limit`), e.g. `session_sends`. */
  readonly name: string;
  /** What it counts within the scope: the session itself, or one of its threads. */
  readonly key: string;
  /** At least 1 (callers leave out a rule that is off). */
  readonly limit: number;
  readonly windowMs: number;
}

export type TakeResult =
  | { readonly ok: true }
  /** `retryAfterMs`: when `rule` has room again (exact: asking then succeeds, unless another take came first). */
  | { readonly ok: false; readonly rule: RateRule; readonly retryAfterMs: number };

/** A concurrency limit: at most `max` slots held at once, per scope. */
export interface SlotRule {
  readonly name: string;
  /** At least 1. */
  readonly max: number;
}

export type HoldResult =
  | { readonly ok: true }
  /** `retryAfterMs`: when the earliest held slot expires at the latest (slots are usually released sooner). */
  | { readonly ok: false; readonly retryAfterMs: number };

/**
 * The limits' state: rates and slots per scope (a session). Everything of one scope is
 * kept together (in Redis: one hash tag, so one slot of a cluster), and each call is one
 * step: one script call in Redis, whatever the number of rules, and atomic.
 *
 * Clock: the limiter's own (`now` of its factory), passed to Redis with each call, so the
 * scripts stay deterministic; processes whose clocks disagree by a few milliseconds
 * disagree on a refusal's edge by as much.
 *
 * Failures: when the backing store cannot be reached, methods reject with `UnavailableError`.
 */
export interface Limiter {
  /**
   * Takes one from every rule at once, or from none: allowed when each rule has room,
   * else refused naming the first rule that has none. A refusal takes nothing, so a
   * client that keeps asking while refused does not push its own limit further out.
   */
  take(scope: string, rules: readonly RateRule[]): Promise<TakeResult>;
  /**
   * Holds slot `id` of `rule` in `scope` until `release`, or until `ttlMs` has passed (a
   * holder that went away without releasing frees its slot by then). Refused when `max`
   * other slots are held. Holding an id that is held already renews it.
   */
  hold(scope: string, rule: SlotRule, id: string, ttlMs: number): Promise<HoldResult>;
  /** Frees slot `id` of the rule named `name`; a no-op when it is not held. */
  release(scope: string, name: string, id: string): Promise<void>;
}

/** What every limiter factory accepts. */
export interface LimiterOptions {
  /** The clock, epoch ms (default `Date.now`): tests pass their own. */
  readonly now?: () => number;
}
