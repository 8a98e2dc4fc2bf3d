import { failureEvent, formatBytes, tooLarge } from "../agent/failure.ts";
import { ConflictError, PayloadTooLargeError } from "../errors/index.ts";
import type { ChatEvent, MessageFailed } from "../events/schemas.ts";

// What an append refuses, decided where the thread's state is (inside the append step),
// shared by every adapter so that they refuse alike (contract.ts proves it).

/** `appendBatch` with `ifHead`: the thread's head moved since; nothing was written. Read again and decide again. */
export class HeadMovedError extends ConflictError {
  constructor(threadId: string) {
    super(`thread ${threadId} changed while this was being written; nothing was written`);
  }
}

/**
 * A batch would grow a reply past the log's `maxReplyBytes` (413): nothing of it was
 * written, and the log ended the reply with `message.failed` (kind `too_large`).
 */
export class ReplyTooLargeError extends PayloadTooLargeError {
  constructor(
    readonly messageId: string,
    readonly bytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `reply ${messageId} would hold ${bytes} bytes; a reply may hold at most ${limitBytes} bytes (${formatBytes(limitBytes)}, LIMIT_REPLY_BYTES): the batch was refused and the reply failed`,
    );
  }
}

/** What an adapter does when a batch would outgrow a reply: the reply's end (the run's one failed id), and the error to reject with. */
export function replyTooLarge(
  threadId: string,
  run: { readonly runId: string; readonly messageId: string },
  bytes: number,
  limitBytes: number,
): { failure: MessageFailed; error: ReplyTooLargeError } {
  return {
    failure: failureEvent({ threadId, ...run }, tooLarge(limitBytes)),
    error: new ReplyTooLargeError(run.messageId, bytes, limitBytes),
  };
}

/** An event that would outgrow its reply, and the size it would bring the reply to. */
export interface Oversized {
  readonly event: { readonly runId: string; readonly messageId: string };
  readonly bytes: number;
}

/** The first `message.completed` of `events` whose text is longer than `limitBytes`, with its size; null when none is. */
export function oversizedCompletion(events: readonly ChatEvent[], limitBytes: number): Oversized | null {
  for (const event of events) {
    if (event.type !== "message.completed") continue;
    const bytes = utf8Length(event.text);
    if (bytes > limitBytes) return { event, bytes };
  }
  return null;
}

/** The UTF-8 length of `text` in bytes, without encoding it (lone surrogates count 3, as TextEncoder writes U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
