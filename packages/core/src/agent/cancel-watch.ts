import type { EventLog } from "../event-log/event-log.ts";

/** What a run's watch saw: a stop request, the reply's end, or neither before it was closed. */
export type WatchOutcome = "cancel" | "ended" | "closed";

/**
 * Follows a thread's log after `after` until it records a `run.cancel_requested` for
 * `runId` ("cancel") or the end of `messageId` ("ended"). Resolves "closed" when `signal`
 * aborts, the log closes, the cursor resets, or the log fails: a watch never fails a reply.
 * Cancellation travels through the log, so a stop reaches a run in any process.
 */
export async function watchRun(
  log: EventLog,
  run: { readonly threadId: string; readonly runId: string; readonly messageId: string },
  after: string,
  signal: AbortSignal,
): Promise<WatchOutcome> {
  try {
    for await (const item of log.tail(run.threadId, after, signal)) {
      if (item.kind === "reset") return "closed";
      for (const { event } of item.events) {
        if (event.type === "run.cancel_requested" && event.runId === run.runId) return "cancel";
        if ((event.type === "message.completed" || event.type === "message.failed") && event.messageId === run.messageId) return "ended";
      }
    }
  } catch {
    // the log is unreachable: the reply goes on, and its own appends report the outage
  }
  return "closed";
}
