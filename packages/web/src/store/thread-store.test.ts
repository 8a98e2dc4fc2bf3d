import type { ChatEvent, ThreadState } from "@murmur/core/chat";
import { describe, expect, it } from "vitest";
import { createThreadStore } from "./thread-store.ts";

const base = { threadId: "t_1", at: 1 };
const created: ChatEvent = { ...base, id: "e1", type: "message.created", messageId: "m_1", role: "user", text: "hi" };
const started: ChatEvent = { ...base, id: "e2", type: "run.started", runId: "r_1", messageId: "a_1", replyTo: "m_1", agent: "demo" };
const delta = (seq: number, text: string): ChatEvent => ({
  ...base,
  id: `d${seq}`,
  type: "message.delta",
  runId: "r_1",
  messageId: "a_1",
  seq,
  text,
});

describe("thread store", () => {
  it("starts empty with no cursor", () => {
    const store = createThreadStore("t_1");
    expect(store.state()).toEqual({ threadId: "t_1", messages: [] });
    expect(store.cursor()).toBeNull();
  });

  it("applies a snapshot then events in order, tracking the last cursor", () => {
    const store = createThreadStore("t_1");
    store.replace({ threadId: "t_1", messages: [] }, "ep:1-0");
    store.apply(created, "ep:2-0");
    store.apply(started, "ep:3-0");
    store.apply(delta(0, "Hel"), "ep:4-0");
    expect(store.state().messages[1]).toMatchObject({ text: "Hel", status: "streaming", agent: "demo" });
    store.apply(delta(0, "Hel"), "ep:4-0"); // a repeat changes nothing
    store.apply(delta(1, "lo"), "ep:5-0");
    expect(store.state().messages[1]?.text).toBe("Hello");
    store.apply({ ...base, id: "e3", type: "message.completed", runId: "r_1", messageId: "a_1", text: "Hello!" }, "ep:6-0");
    expect(store.state().messages.map((m) => [m.role, m.text, m.status])).toEqual([
      ["user", "hi", "complete"],
      ["assistant", "Hello!", "complete"],
    ]);
    expect(store.cursor()).toBe("ep:6-0");
  });

  it("replaces everything on a reset", () => {
    const store = createThreadStore("t_1");
    store.replace({ threadId: "t_1", messages: [] }, "old:1-0");
    store.apply(created, "old:2-0");
    store.apply(started, "old:3-0");
    const fresh: ThreadState = {
      threadId: "t_1",
      messages: [{ id: "m_9", role: "user", text: "after reset", status: "complete", createdAt: 5 }],
    };
    store.replace(fresh, "new:7-0");
    expect(store.state()).toEqual(fresh);
    expect(store.cursor()).toBe("new:7-0");
    store.apply(delta(0, "late"), "new:8-0"); // its message is gone: nothing to update
    expect(store.state()).toEqual(fresh);
    expect(store.cursor()).toBe("new:8-0");
  });

  it("ignores frames for another thread", () => {
    const store = createThreadStore("t_1");
    store.replace({ threadId: "t_2", messages: [] }, "ep:1-0");
    store.apply({ ...created, threadId: "t_2" }, "ep:2-0");
    expect(store.state().messages).toEqual([]);
    expect(store.cursor()).toBeNull();
  });
});
