import type { ThreadList, ThreadRecord } from "../api.ts";
import type { ListFrame } from "../primitives/create-live-thread.ts";

/** The server's list order: most recently active first; ties, the greater id first. */
export const byActivity = (a: ThreadRecord, b: ThreadRecord) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * The list with `update` applied: a new thread is added, a known one merged. Activity
 * time and read position only move forward, and the title is the one of the later
 * rename (`renamedAt`), else the one already shown, so a record that arrives late (an
 * older change, or a list fetched before a local update) cannot undo what the list shows.
 */
export function upsertThread(list: readonly ThreadRecord[], update: ThreadRecord): ThreadRecord[] {
  const current = list.find((t) => t.id === update.id);
  if (!current) return [...list, update].sort(byActivity);
  const readAt = Math.max(current.readAt ?? 0, update.readAt ?? 0);
  const renamedAt = Math.max(current.renamedAt ?? 0, update.renamedAt ?? 0);
  const merged: ThreadRecord = {
    ...current,
    title: (update.renamedAt ?? 0) > (current.renamedAt ?? 0) ? update.title : (current.title ?? update.title),
    updatedAt: Math.max(current.updatedAt, update.updatedAt),
    ...(readAt > 0 ? { readAt } : {}),
    ...(renamedAt > 0 ? { renamedAt } : {}),
  };
  return list.map((t) => (t.id === update.id ? merged : t)).sort(byActivity);
}

/**
 * The list after a frame of the live list: its first page (each connection's first), one
 * changed record, or a thread deleted. Each carries the list's new position, which the
 * idle check sends. A first page keeps the older pages already loaded below it.
 */
export function applyListFrame(list: ThreadList | undefined, frame: ListFrame): ThreadList {
  const position = frame.position ?? list?.position ?? null;
  if (frame.kind === "threads") {
    const last = frame.threads.at(-1);
    const older =
      frame.next !== null && last && list
        ? list.threads.filter((t) => byActivity(last, t) < 0 && !frame.threads.some((f) => f.id === t.id))
        : [];
    return { threads: [...frame.threads, ...older], position, next: older.length > 0 ? (list?.next ?? null) : frame.next };
  }
  if (frame.kind === "removed") {
    return { threads: (list?.threads ?? []).filter((t) => t.id !== frame.threadId), position, next: list?.next ?? null };
  }
  return { threads: upsertThread(list?.threads ?? [], frame.thread), position, next: list?.next ?? null };
}

/** The list with an older page appended below what it holds. */
export function appendPage(list: ThreadList | undefined, page: ThreadList): ThreadList {
  let threads = list?.threads ?? [];
  for (const thread of page.threads) threads = upsertThread(threads, thread);
  return { threads, position: list?.position ?? page.position, next: page.next };
}
