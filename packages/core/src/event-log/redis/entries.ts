import type { ThreadRecord } from "../event-log.ts";
import type { RawEntry } from "./multiplexer.ts";

// Reading what the Lua scripts (scripts.ts) store: stream entries and meta hashes.

/** The value of `name` in a flat field, value list. */
export function field(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** Orders two stream ids `<ms>-<seq>`. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(Number) as [number, number];
  const [bm, bs] = b.split("-").map(Number) as [number, number];
  return am - bm || as - bs;
}

/** True when the entries follow `after` with nothing left out (each names its predecessor in `p`). */
export function isContiguous(after: string, entries: readonly RawEntry[]): boolean {
  let previous = after;
  for (const [id, fields] of entries) {
    if (field(fields, "p") !== previous) return false;
    previous = id;
  }
  return true;
}

/** A thread record from a flat list holding its meta hash's fields; null without an owner, or for a deleted thread's tombstone. */
export function toRecord(id: string, flat: readonly string[] | null | undefined): ThreadRecord | null {
  if (!flat || flat.length === 0) return null;
  const owner = field(flat, "owner");
  if (owner === undefined || field(flat, "deleted") !== undefined) return null;
  const readAt = field(flat, "readAt");
  const renamedAt = field(flat, "renamedAt");
  return {
    id,
    owner,
    title: field(flat, "title") ?? null,
    createdAt: Number(field(flat, "createdAt")),
    updatedAt: Number(field(flat, "updatedAt")),
    ...(readAt !== undefined ? { readAt: Number(readAt) } : {}),
    ...(renamedAt !== undefined ? { renamedAt: Number(renamedAt) } : {}),
  };
}
