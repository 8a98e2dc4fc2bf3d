import { UnavailableError } from "@murmur/core/errors";
import type { ScriptRunner } from "@murmur/core/event-log";
import type { StreamAdmission } from "../deps.ts";

/**
 * Takes a slot when one is free: drops lapsed leases, then adds this stream's unless the
 * set is full. KEYS: the slot set. ARGV: now, lease end, stream id, most slots.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1`;

/** Frees a slot (a script: the runner runs scripts only). */
const RELEASE = "return redis.call('ZREM', KEYS[1], ARGV[1])";

/** Where the Stream function keeps its slots, and how many there are. */
export interface StreamSlotsOptions {
  /** Stream's own connection to the database (its event log's runner). */
  readonly runner: ScriptRunner;
  /** The stage's key prefix (`murmur:<stage>`). */
  readonly prefix: string;
  /** Most streams open at once (`STREAM_MAX_OPEN`). */
  readonly max: number;
}

/**
 * The Stream function's slots for open streams, in the stage's Upstash database: a
 * sorted set of stream ids scored by when their lease ends, so a stream that dies
 * without freeing its slot (a crash, a timeout) frees it when its lease lapses. One
 * script call to take a slot, one command to free it. Kept under the function's reserved
 * concurrency, so a stream over the limit is refused in-band instead of throttled by Lambda.
 */
export function createStreamSlots(options: StreamSlotsOptions): StreamAdmission {
  const key = `${options.prefix}:streams:open`;
  const unavailable = (cause: unknown) =>
    new UnavailableError(`event log unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  return {
    async acquire(id, leaseMs) {
      const now = Date.now();
      try {
        return Number(await options.runner.run(ACQUIRE, [key], [now, now + leaseMs, id, options.max])) === 1;
      } catch (cause) {
        throw unavailable(cause);
      }
    },
    async release(id) {
      try {
        await options.runner.run(RELEASE, [key], [id]);
      } catch (cause) {
        throw unavailable(cause);
      }
    },
  };
}
