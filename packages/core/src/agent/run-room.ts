import type { ChatMessage } from "../chat/reducer.ts";
import type { MurmurConfig } from "../config/config.ts";
import { ReplyInProgressError } from "../errors/index.ts";
import { type RunRef, repliesTo, replyAttempt, runOf } from "./run-ids.ts";

/** How many replies a thread may have in flight (`LIMIT_RUNS_PER_THREAD`), and how long a sent message counts as one before its run starts. */
export interface RunRoom {
  /** At least 1; 0: no limit. */
  readonly runsPerThread: number;
  /**
   * A user message with no reply yet counts as a reply in flight for this long after it
   * was created (its run is starting: in the cloud, an async invoke away). Past it, a
   * message whose run never started blocks nothing (the run's lease, `RUN_LEASE_MS`).
   */
  readonly startWindowMs: number;
}

/** The room the configuration gives: `LIMIT_RUNS_PER_THREAD`, and a run's lease as the start window. */
export function runRoomOf(config: MurmurConfig): RunRoom {
  return { runsPerThread: config.limits.runsPerThread, startWindowMs: config.eventLog.runLeaseMs };
}

/**
 * The replies in flight in `messages` at `now`: the assistant messages still streaming,
 * and the user messages created within `startWindowMs` that have no reply yet, except
 * `except` (a message being sent again does not wait for itself).
 */
export function repliesInFlight(messages: readonly ChatMessage[], now: number, startWindowMs: number, except?: string): ChatMessage[] {
  const answered = new Set(messages.flatMap((m) => (m.role === "assistant" && m.replyTo ? [m.replyTo] : [])));
  return messages.filter((m) =>
    m.role === "assistant" ? m.status === "streaming" : m.id !== except && !answered.has(m.id) && m.createdAt > now - startWindowMs,
  );
}

/**
 * THE gate of "one reply at a time", enforced by the server: the run a send of
 * `userMessageId` (or a regeneration, see `replyAttempt`) asks for, when it may start.
 * A run that already started (a retried send, a second tab) always may: starting it
 * again lands as a duplicate. A new run may only while the thread has fewer than
 * `runsPerThread` replies in flight.
 * @throws ReplyInProgressError (409) naming the reply it would have to wait for.
 */
export async function admitRun(
  messages: readonly ChatMessage[],
  run: { readonly threadId: string; readonly userMessageId: string; readonly regenerate?: number },
  room: RunRoom,
  now = Date.now(),
): Promise<RunRef> {
  const attempt = replyAttempt(messages, run.userMessageId, run.regenerate);
  const starts = attempt >= repliesTo(messages, run.userMessageId).length;
  if (starts && room.runsPerThread > 0) {
    const inFlight = repliesInFlight(messages, now, room.startWindowMs, run.userMessageId);
    if (inFlight.length >= room.runsPerThread) {
      const waiting = inFlight.find((m) => m.role === "assistant")
        ? "a reply is being written"
        : "the reply to the last message is starting";
      throw new ReplyInProgressError(
        `${waiting} in thread ${run.threadId}, and a thread has at most ${room.runsPerThread} in flight (LIMIT_RUNS_PER_THREAD): wait for it to end, or stop it, then send again`,
      );
    }
  }
  return runOf(run.threadId, run.userMessageId, attempt);
}
