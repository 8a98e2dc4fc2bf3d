import { HeadMovedError } from "../event-log/append-guards.ts";
import type { EventLog } from "../event-log/event-log.ts";
import type { Ingest } from "../ingest/ingest.ts";
import type { RunRef } from "./run-ids.ts";
import { admitRun, type RunRoom } from "./run-room.ts";

export interface SendDeps {
  readonly log: EventLog;
  readonly ingest: Ingest;
  readonly room: RunRoom;
}

/** A stored user message and the run that answers it. `cursor`: the message's place in the log (the original's for a retry). */
export interface SentMessage {
  readonly run: RunRef;
  readonly cursor: string;
  readonly duplicate: boolean;
}

/** How often a new message is tried again when the thread changed under it, before it answers 409. */
const ATTEMPTS = 3;

/**
 * Stores a user message and decides the run that answers it, one reply in flight at a
 * time (see `admitRun`). The decision is taken over a snapshot and the message is
 * appended only if the thread has not changed since (`ifHead`), so two sends racing into
 * an idle thread cannot both start a run: the second reads again and meets the first's
 * message. A retry with the same `messageId` appends nothing new (a duplicate) and names
 * the run the message has, or the next attempt after a retryable failure.
 * @throws ReplyInProgressError (409) while the thread's replies in flight are at their limit.
 */
export async function sendUserMessage(
  deps: SendDeps,
  message: { readonly threadId: string; readonly messageId: string; readonly text: string; readonly trace?: string },
): Promise<SentMessage> {
  const { threadId, messageId, text } = message;
  // The send's request id (see `RunRequest.trace`), on its message.
  const trace = message.trace === undefined ? {} : { trace: message.trace };
  for (let attempt = 1; ; attempt++) {
    const { state, cursor } = await deps.log.snapshot(threadId);
    const now = Date.now();
    const known = state.messages.some((m) => m.id === messageId && m.role === "user");
    const run = await admitRun(state.messages, { threadId, userMessageId: messageId }, deps.room, now);
    const created = { id: `msg:${messageId}`, threadId, at: now, type: "message.created", messageId, role: "user", text, ...trace };
    try {
      // A message sent before needs no condition: it lands as the duplicate it is.
      const [result] = await deps.ingest(threadId, [created], known ? {} : { ifHead: cursor });
      return { run, cursor: result?.cursor ?? cursor, duplicate: result?.duplicate ?? false };
    } catch (error) {
      if (!(error instanceof HeadMovedError) || attempt >= ATTEMPTS) throw error;
    }
  }
}
