/**
 * What sst.config.ts deploys that the code and the cost model (`npm run cost`) both need
 * to agree on. sst.config.ts imports these; nothing here reads the environment.
 */

/** Memory of each function, in MB (all arm64, Node.js 22). */
export const FUNCTION_MEMORY_MB = {
  Api: 512,
  Webhook: 512,
  // I/O bound and held for the length of a reply: Lambda's smallest memory. Measured by
  // `npm run bundles` (BENCHMARKS.md, "Lambda bundles and memory"): a 347 kB bundle, 55 MB
  // RSS after its cold import; holding a stream for 30 s through a reply, an external
  // agent's events and heartbeats, RSS peaked at 75 to 96 MB over eight runs (60 to 68 MB
  // after a full GC): 32 MB to spare at worst.
  Stream: 128,
  // Waits on the model for the length of a reply, relaying its tokens. Measured the same
  // way with the demo agent: 47 MB RSS after its cold import, 64 to 68 MB at most while
  // it writes a reply.
  Agent: 128,
} as const;

/** Every function runs on Graviton: a fifth cheaper per GB-second than x86. */
export const ARCHITECTURE = "arm64" as const;

/**
 * Streams close on purpose, with `retry:`, this often; the browser resumes from its last
 * id. Lambda tells a streaming function nothing when its client goes away, so a tab that
 * vanishes without releasing its stream (see STREAM_POLICY) runs on until then.
 */
export const STREAM_PLANNED_CLOSE_SECONDS = 300;

/** `: ping` interval; well under the stream route's read timeout (60 s). */
export const HEARTBEAT_MS = 15_000;

/** An idle stream costs one Redis command per block: at most 2 per minute. */
export const REDIS_BLOCK_MS = 30_000;

/**
 * Lambda's response stream holds small writes back (runtime-interface-client issues 94
 * and 102); a write padded to 16 KB goes out at once. `MURMUR_PAD_BYTES` at deploy time
 * overrides it.
 */
export const DEFAULT_PAD_BYTES = 16_384;

/**
 * Stream's reserved concurrency by default: every held stream is one concurrent
 * execution, so this is the most streams open at once, and what Stream can never take
 * from Api, Agent and Webhook (they share the rest of the account's concurrency, 1,000
 * per region by default, of which AWS keeps 100 unreserved). Previews share production's
 * account: they get a few. `MURMUR_STREAM_CONCURRENCY` at deploy time overrides it
 * (`none`: no reservation, e.g. for a new account whose limit is below 100).
 */
export const STREAM_CONCURRENCY = { production: 400, other: 10 } as const;

/**
 * Slots kept free under Stream's reserved concurrency (`STREAM_MAX_OPEN` = reserved less
 * this): a stream past the slots is refused in-band, which itself takes an execution for
 * a few milliseconds, and a stream whose slot lapsed late still holds one. At least one.
 */
export function streamSlots(reserved: number): number {
  return Math.max(1, reserved - Math.max(1, Math.ceil(reserved * 0.05)));
}

/**
 * Production's Upstash budget, US dollars a month (the provider's default is $20): past
 * it Upstash rate-limits the database until the month ends, and every stream, send and
 * webhook slows or fails (503). `MURMUR_UPSTASH_BUDGET` at deploy time overrides it.
 */
export const UPSTASH_BUDGET_USD = 100;
