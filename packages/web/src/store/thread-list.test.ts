import { describe, expect, it } from "vitest";
import type { ThreadRecord } from "../api.ts";
import { appendPage, applyListFrame, upsertThread } from "./thread-list.ts";

const record = (id: string, updatedAt: number, extra: Partial<ThreadRecord> = {}): ThreadRecord => ({
  id,
  owner: "s_1",
  title: null,
  createdAt: 1,
  updatedAt,
  ...extra,
});

describe("upsertThread", () => {
  it("adds a new thread in activity order", () => {
    const list = [record("a", 30), record("b", 10)];
    expect(upsertThread(list, record("c", 20)).map((t) => t.id)).toEqual(["a", "c", "b"]);
  });

  it("moves a thread with new activity to the top and takes its title", () => {
    const list = [record("a", 30), record("b", 10)];
    const next = upsertThread(list, record("b", 40, { title: "hello" }));
    expect(next.map((t) => t.id)).toEqual(["b", "a"]);
    expect(next[0]).toMatchObject({ title: "hello", updatedAt: 40 });
  });

  it("never moves activity or the read position back, nor drops a title", () => {
    const list = [record("a", 50, { title: "first", readAt: 50 })];
    expect(upsertThread(list, record("a", 40, { title: null, readAt: 45 }))[0]).toEqual(list[0]);
    expect(upsertThread(list, record("a", 50, { readAt: 60 }))[0]?.readAt).toBe(60);
  });
});

describe("applyListFrame", () => {
  it("takes a whole list with its position, and merges one record moving the position on", () => {
    const list = applyListFrame(undefined, { kind: "threads", threads: [record("a", 10)], position: "p1", next: null });
    expect(list).toEqual({ threads: [record("a", 10)], position: "p1", next: null });
    const next = applyListFrame(list, { kind: "thread", thread: record("b", 20), position: "p2" });
    expect(next.threads.map((t) => t.id)).toEqual(["b", "a"]);
    expect(next.position).toBe("p2");
    expect(applyListFrame(next, { kind: "thread", thread: record("b", 30), position: null }).position).toBe("p2");
  });
});

describe("renames, deletions and pages", () => {
  it("takes the title of the later rename, whatever order the records come in", () => {
    const list = [record("a", 10, { title: "first message" })];
    const renamed = upsertThread(list, record("a", 10, { title: "Renamed", renamedAt: 5 }));
    expect(renamed[0]?.title).toBe("Renamed");
    expect(upsertThread(renamed, record("a", 20, { title: "first message" }))[0]).toMatchObject({ title: "Renamed", updatedAt: 20 });
    expect(upsertThread(renamed, record("a", 10, { title: "Older", renamedAt: 4 }))[0]?.title).toBe("Renamed");
  });

  it("drops a deleted thread, appends an older page, and keeps loaded pages under a fresh first page", () => {
    const first = { threads: [record("d", 40), record("c", 30)], position: "p1", next: "30.c" };
    const both = appendPage(first, { threads: [record("b", 20), record("a", 10)], position: "p1", next: null });
    expect(both).toEqual({ threads: [record("d", 40), record("c", 30), record("b", 20), record("a", 10)], position: "p1", next: null });
    const removed = applyListFrame(both, { kind: "removed", threadId: "c", position: "p2" });
    expect(removed.threads.map((t) => t.id)).toEqual(["d", "b", "a"]);
    // A reconnect's first page (two threads) keeps the older ones loaded below it.
    const fresh = applyListFrame(removed, { kind: "threads", threads: [record("e", 50), record("d", 40)], position: "p3", next: "40.d" });
    expect(fresh).toEqual({ threads: [record("e", 50), record("d", 40), record("b", 20), record("a", 10)], position: "p3", next: null });
  });
});
