import { UnavailableError } from "../errors/index.ts";
import type { Ingest } from "./ingest.ts";

/**
 * Ingestion for a producer that must not lose its place when the log's store is briefly
 * down (a Redis restart in the middle of a reply): retries an unavailable store (see
 * {@link retryWhileUnavailable}) for up to `forMs`, then gives up with the last error.
 * Safe because appends are idempotent by event id. Not for request handlers, which
 * should answer 503 at once and let the client retry.
 */
export function retryingIngest(ingest: Ingest, forMs: number): Ingest {
  return (threadId, events, options) => retryWhileUnavailable(() => ingest(threadId, events, options), forMs);
}

/**
 * Runs `attempt` until it settles otherwise than with `UnavailableError`, backing off 50 ms
 * doubling to 1 s between tries, for up to `forMs`; then rejects with the last error.
 * Any other error rejects at once: only a store that cannot be reached is worth waiting for.
 */
export async function retryWhileUnavailable<T>(attempt: () => Promise<T>, forMs: number): Promise<T> {
  const deadline = Date.now() + forMs;
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const wait = Math.min(1000, 50 * 2 ** tries);
      if (!(error instanceof UnavailableError) || Date.now() + wait > deadline) throw error;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
