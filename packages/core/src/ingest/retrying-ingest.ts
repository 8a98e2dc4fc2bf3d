import { UnavailableError } from "../errors/index.ts";
import type { Ingest } from "./ingest.ts";

/**
 * Ingestion for a producer that must not lose its place when the log's store is briefly
 * down (a Redis restart in the middle of a reply): retries an unavailable store with
 * backoff (50 ms doubling to 1 s) for up to `forMs`, then gives up with the last error.
 * Safe because appends are idempotent by event id. Not for request handlers, which
 * should answer 503 at once and let the client retry.
 */
export function retryingIngest(ingest: Ingest, forMs: number): Ingest {
  return async (threadId, events) => {
    const deadline = Date.now() + forMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await ingest(threadId, events);
      } catch (error) {
        const wait = Math.min(1000, 50 * 2 ** attempt);
        if (!(error instanceof UnavailableError) || Date.now() + wait > deadline) throw error;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  };
}
