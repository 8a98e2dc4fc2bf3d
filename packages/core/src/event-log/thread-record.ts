import { ValidationError } from "../errors/index.ts";
import type { ChatEvent } from "../events/schemas.ts";
import type { PageCursor, ThreadRecord } from "./event-log.ts";

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
  return (
    before.title !== after.title ||
    before.updatedAt !== after.updatedAt ||
    before.readAt !== after.readAt ||
    before.renamedAt !== after.renamedAt
  );
}

/** List order: most recently active first; ties, the greater id first (as a Redis sorted set ranks them). */
export function byListOrder(a: ThreadRecord, b: ThreadRecord): number {
  return b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** Where a page of the list after `record` starts. */
export function pageCursorAfter(record: ThreadRecord): PageCursor {
  return `${record.updatedAt}.${record.id}`;
}

const PAGE_CURSOR = /^(\d{1,16})\.([A-Za-z0-9_-]{1,64})$/;

/** The last thread of the page before, as a page cursor names it. @throws ValidationError when malformed. */
export function parsePageCursor(cursor: PageCursor): { readonly updatedAt: number; readonly id: string } {
  const match = PAGE_CURSOR.exec(cursor);
  if (!match) throw new ValidationError("invalid page cursor", [`before: "${cursor.slice(0, 80)}" is not a cursor this list gave`]);
  return { updatedAt: Number(match[1]), id: match[2] as string };
}

/** Most threads one page may hold, and how many it holds unless asked. */
export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 100;

/** The page size asked for, within 1-{@link MAX_PAGE_SIZE}. @throws ValidationError otherwise. */
export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
    throw new ValidationError("invalid page size", [`limit: must be an integer from 1 to ${MAX_PAGE_SIZE}`]);
  return limit;
}

/**
 * A title a person chose: whitespace runs become one space, ends trimmed.
 * @throws ValidationError when empty or longer than {@link TITLE_MAX_CHARS}.
 */
export function checkTitle(title: string): string {
  const line = title.replace(/\s+/g, " ").trim();
  if (line === "") throw new ValidationError("invalid title", ["title: must not be empty"]);
  if ([...line].length > TITLE_MAX_CHARS)
    throw new ValidationError("invalid title", [`title: must be at most ${TITLE_MAX_CHARS} characters`]);
  return line;
}
