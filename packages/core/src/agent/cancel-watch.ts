import type { EventLog } from "../event-log/event-log.ts";

/** What a run's watch saw: a stop request, the reply's end, or neither before it was closed. */
export type WatchOutcome = "cancel" | "ended" | "closed";

/**
 * Follows a thread's log after `after` until it records a `run.cancel_requested` for
 * `runId` or the thread's deletion ("cancel") or the end of `messageId` ("ended"). Resolves "closed" when `signal`
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
      if (item.kind === "deleted") return "cancel"; // nowhere left to write the reply
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

/** How long a runner in "appends" mode goes without an append before it reads the log for a stop. */
export const CANCEL_POLL_MS = 1_000;

/**
 * The cheap watch of a runner that may not hold a read loop (the Agent function): it
 * learns of a stop from its own appends' `cancelRequested`, and, once it has appended
 * nothing for `quietMs` (the model is still thinking, or stalls), reads the log once per
 * {@link CANCEL_POLL_MS}. Resolves "cancel" when the log holds a stop for `runId`,
 * "closed" when `signal` aborts; read failures are ignored (the reply goes on).
 */
export function pollRunCancel(
  log: EventLog,
  run: { readonly threadId: string; readonly runId: string },
  after: string,
  lastAppendAt: () => number,
  signal: AbortSignal,
  quietMs = CANCEL_POLL_MS,
): Promise<WatchOutcome> {
  let cursor = after;
  return new Promise((resolve) => {
    const done = (outcome: WatchOutcome) => {
      clearInterval(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(outcome);
    };
    const onAbort = () => done("closed");
    let reading = false;
    const timer = setInterval(async () => {
      if (reading || Date.now() - lastAppendAt() < quietMs) return;
      reading = true;
      try {
        const read = await log.read(run.threadId, cursor, 100);
        if (read.kind === "reset" || signal.aborted) return;
        cursor = read.events.at(-1)?.cursor ?? cursor;
        if (read.events.some(({ event }) => event.type === "run.cancel_requested" && event.runId === run.runId)) done("cancel");
      } catch {
        // the log is unreachable: the reply's own appends report the outage
      } finally {
        reading = false;
      }
    }, CANCEL_POLL_MS / 4);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
