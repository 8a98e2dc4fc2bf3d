import { describe, expect, it } from "vitest";
import type { ThreadRecord } from "../api.ts";
import { applyListFrame, upsertThread } from "./thread-list.ts";

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
    const list = applyListFrame(undefined, { kind: "threads", threads: [record("a", 10)], position: "p1" });
    expect(list).toEqual({ threads: [record("a", 10)], position: "p1" });
    const next = applyListFrame(list, { kind: "thread", thread: record("b", 20), position: "p2" });
    expect(next.threads.map((t) => t.id)).toEqual(["b", "a"]);
    expect(next.position).toBe("p2");
    expect(applyListFrame(next, { kind: "thread", thread: record("b", 30), position: null }).position).toBe("p2");
  });
});
