import type { ChatEvent } from "../events/schemas.ts";
import type { ThreadRecord } from "./event-log.ts";

/** Longest title kept from a thread's first message. */
export const TITLE_MAX_CHARS = 80;

/** A thread title made from its first message: one line, at most {@link TITLE_MAX_CHARS} characters. */
export function titleFromText(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > TITLE_MAX_CHARS ? `${line.slice(0, TITLE_MAX_CHARS - 1)}…` : line;
}

/**
 * The thread record after `event`: the first user message names the thread, and message
 * creation, completion and failure count as activity. Deltas change nothing, so
 * adapters can skip the record write for them.
 */
export function recordAfter(record: ThreadRecord, event: ChatEvent): ThreadRecord {
  switch (event.type) {
    case "message.created":
      return { ...record, title: record.title ?? titleFromText(event.text), updatedAt: Math.max(record.updatedAt, event.at) };
    case "message.completed":
    case "message.failed":
      return { ...record, updatedAt: Math.max(record.updatedAt, event.at) };
    case "thread.read":
      return { ...record, readAt: Math.max(record.readAt ?? 0, event.at) };
    default:
      return record;
  }
}

/** True when `after` differs from `before` in what the thread list shows. */
export function recordChanged(before: ThreadRecord, after: ThreadRecord): boolean {
  return before.title !== after.title || before.updatedAt !== after.updatedAt || before.readAt !== after.readAt;
}
