import { ValidationError } from "../errors/index.ts";
import { CURSOR_PATTERN } from "../events/constants.ts";

/**
 * A position in one thread's log, as sent in SSE `id:` fields and `Last-Event-ID`:
 * `<epoch>:<ms>-<seq>`. `<ms>-<seq>` is the stream entry id (Redis Stream ids have this
 * shape); `<epoch>` names the incarnation of the stream, so a cursor from a deleted or
 * recreated stream is recognised and answered with a reset instead of a silent gap.
 */
export interface Cursor {
  readonly epoch: string;
  readonly ms: number;
  readonly seq: number;
}

/** Formats a cursor as its wire string. */
export function formatCursor(cursor: Cursor): string {
  return `${cursor.epoch}:${cursor.ms}-${cursor.seq}`;
}

/**
 * Parses a wire cursor.
 * @throws ValidationError when the string is not `<epoch>:<ms>-<seq>`.
 */
export function parseCursor(value: string): Cursor {
  const match = CURSOR_PATTERN.exec(value);
  if (!match) {
    throw new ValidationError("malformed cursor", [
      `"${value.slice(0, 80)}" is not of the form <epoch>:<ms>-<seq>, e.g. "k3x9:1700000000000-0"`,
    ]);
  }
  return { epoch: match[1] as string, ms: Number(match[2]), seq: Number(match[3]) };
}

/** Orders two positions of the same epoch: negative, zero or positive. */
export function compareCursors(a: Cursor, b: Cursor): number {
  return a.ms - b.ms || a.seq - b.seq;
}

/** The stream-entry part of a cursor, `<ms>-<seq>`, as Redis writes ids. */
export function entryId(cursor: Cursor): string {
  return `${cursor.ms}-${cursor.seq}`;
}

/** The position before every entry of an epoch: resuming from it replays the whole log. */
export function originCursor(epoch: string): Cursor {
  return { epoch, ms: 0, seq: 0 };
}

/** A new random epoch (8 base-36 characters). */
export function newEpoch(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n.toString(36).padStart(8, "0").slice(-8);
}
