import type { RunLease } from "../event-log/event-log.ts";
import { lapsedLeases } from "../event-log/leases.ts";
import type { Ingest } from "../ingest/ingest.ts";
import { type Failure, failureEvent } from "./failure.ts";

/** How a reply whose writer went away ends: retryable, so sending the message again starts it afresh. */
export const LAPSED: Failure = {
  reason: "the reply stopped without finishing: whoever was writing it went away (a restart or a crash); send it again",
  retryable: true,
  kind: "abandoned",
};

/** How a reply ends when the server it runs in shuts down (SIGTERM): retryable, like a lapsed lease. */
export const SHUT_DOWN: Failure = {
  reason: "the server stopped while writing the reply; send it again",
  retryable: true,
  kind: "abandoned",
};

/**
 * Ends, retryably, the replies of `leases` that lapsed by `now` (invariant I6): whoever
 * touches a thread calls this with the leases it read, so no reply stays streaming. The
 * failure has the run's deterministic id: a writer that was only slow, or another
 * process ending the same run, lands on the same event once. Returns how many it ended.
 */
export async function endLapsedRuns(ingest: Ingest, threadId: string, leases: readonly RunLease[], now = Date.now()): Promise<number> {
  const lapsed = lapsedLeases(leases, now);
  if (lapsed.length === 0) return 0;
  await ingest(
    threadId,
    lapsed.map((lease) => failureEvent({ threadId, runId: lease.runId, messageId: lease.messageId }, LAPSED, now)),
  );
  return lapsed.length;
}
