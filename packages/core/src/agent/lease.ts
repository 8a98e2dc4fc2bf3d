import type { EventLog, RunLease } from "../event-log/event-log.ts";
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

/**
 * A long-lived server's start-up sweep: walks the log for replies in progress
 * (`scanLeases`) and ends, retryably, those whose lease has lapsed; those still within
 * their lease (their process may have died a moment ago) are checked again once it
 * lapses, and ended then if nobody renewed them. So a crash leaves no reply streaming
 * even if no one opens its thread again. Runs in the background until `signal` aborts;
 * resolves what it ended, and how many it had to wait for, once the walk is over.
 */
export async function sweepLapsedRuns(
  log: Pick<EventLog, "scanLeases" | "getThread">,
  ingest: Ingest,
  signal: AbortSignal,
): Promise<{ readonly ended: number; readonly waiting: number }> {
  let ended = 0;
  let waiting = 0;
  const recheck = (threadId: string, at: number) => {
    waiting++;
    const timer = setTimeout(
      async () => {
        signal.removeEventListener("abort", cancel);
        try {
          const thread = await log.getThread(threadId);
          if (thread) await endLapsedRuns(ingest, threadId, thread.leases);
        } catch {
          // the log is unreachable: the next touch of the thread ends it
        }
      },
      Math.max(0, at - Date.now()) + RECHECK_SLACK_MS,
    );
    timer.unref?.();
    const cancel = () => clearTimeout(timer);
    signal.addEventListener("abort", cancel, { once: true });
  };
  for await (const { threadId, leases } of log.scanLeases(signal)) {
    const now = Date.now();
    ended += await endLapsedRuns(ingest, threadId, leases, now);
    const live = leases.filter((lease) => lease.expiresAt > now);
    if (live.length > 0) recheck(threadId, Math.max(...live.map((lease) => lease.expiresAt)));
  }
  return { ended, waiting };
}

/** How long after a lease's end the sweep looks again (a renewal in flight lands first). */
const RECHECK_SLACK_MS = 1_000;
