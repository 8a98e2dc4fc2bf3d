import type { ThreadList, ThreadRecord } from "../api.ts";

/** Most recently active first, as the server lists them. */
const byActivity = (a: ThreadRecord, b: ThreadRecord) => b.updatedAt - a.updatedAt || b.createdAt - a.createdAt;

/**
 * The list with `update` applied: a new thread is added, a known one merged. Activity
 * time and read position only move forward and a title, once set, stays, so a record
 * that arrives late (an older change, or a list fetched before a local update) cannot
 * undo what the list already shows.
 */
export function upsertThread(list: readonly ThreadRecord[], update: ThreadRecord): ThreadRecord[] {
  const current = list.find((t) => t.id === update.id);
  if (!current) return [...list, update].sort(byActivity);
  const readAt = Math.max(current.readAt ?? 0, update.readAt ?? 0);
  const merged: ThreadRecord = {
    ...current,
    title: current.title ?? update.title,
    updatedAt: Math.max(current.updatedAt, update.updatedAt),
    ...(readAt > 0 ? { readAt } : {}),
  };
  return list.map((t) => (t.id === update.id ? merged : t)).sort(byActivity);
}

/**
 * The list after a frame of the live list: the whole list (each connection's first), or
 * one changed record. Each carries the list's new position, which the idle check sends.
 */
export function applyListFrame(
  list: ThreadList | undefined,
  frame:
    | { kind: "threads"; threads: readonly ThreadRecord[]; position: string | null }
    | { kind: "thread"; thread: ThreadRecord; position: string | null },
): ThreadList {
  if (frame.kind === "threads") return { threads: frame.threads, position: frame.position };
  return { threads: upsertThread(list?.threads ?? [], frame.thread), position: frame.position ?? list?.position ?? null };
}
