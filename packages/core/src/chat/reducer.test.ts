import { describe, expect, it } from "vitest";
import type { ChatEvent } from "../events/schemas.ts";
import { applyEvent, emptyThreadState, foldEvents } from "./reducer.ts";

const T = "t_1";
const at = 1_700_000_000_000;
const created: ChatEvent = { id: "e1", threadId: T, at, type: "message.created", messageId: "m_u", role: "user", text: "hi" };
const started: ChatEvent = { id: "e2", threadId: T, at, type: "run.started", runId: "r1", messageId: "m_a", replyTo: "m_u", agent: "demo" };
const delta = (seq: number, text: string): ChatEvent => ({
  id: `d${seq}`,
  threadId: T,
  at,
  type: "message.delta",
  runId: "r1",
  messageId: "m_a",
  seq,
  text,
});

describe("thread reducer", () => {
  it("folds a whole reply into a complete assistant message", () => {
    const state = foldEvents(emptyThreadState(T), [
      created,
      started,
      delta(0, "Hello"),
      delta(1, " there"),
      { id: "c", threadId: T, at, type: "message.completed", runId: "r1", messageId: "m_a", text: "Hello there" },
    ]);
    expect(state.messages.map((m) => [m.role, m.text, m.status])).toEqual([
      ["user", "hi", "complete"],
      ["assistant", "Hello there", "complete"],
    ]);
  });

  it("shows a streaming message with the text so far", () => {
    const state = foldEvents(emptyThreadState(T), [created, started, delta(0, "Hel")]);
    expect(state.messages[1]).toMatchObject({ status: "streaming", text: "Hel", agent: "demo", replyTo: "m_u" });
  });

  it("ignores a repeated delta, a repeated creation and deltas after the end", () => {
    const once = foldEvents(emptyThreadState(T), [created, started, delta(0, "a"), delta(1, "b")]);
    const twice = foldEvents(once, [created, started, delta(0, "a"), delta(1, "b")]);
    expect(twice).toBe(once);
    const failed = applyEvent(twice, {
      id: "f",
      threadId: T,
      at,
      type: "message.failed",
      runId: "r1",
      messageId: "m_a",
      reason: "boom",
      retryable: true,
    });
    expect(failed.messages[1]).toMatchObject({ status: "failed", text: "ab", error: { reason: "boom", retryable: true } });
    expect(applyEvent(failed, delta(2, "c"))).toBe(failed);
  });

  it("keeps a failure's kind, and reduces a failure logged before kinds existed (no kind)", () => {
    const failure = {
      id: "f",
      threadId: T,
      at,
      type: "message.failed",
      runId: "r1",
      messageId: "m_a",
      reason: "x",
      retryable: true,
    } as const;
    const stopped = foldEvents(emptyThreadState(T), [created, started, { ...failure, kind: "stopped" }]);
    expect(stopped.messages[1]?.error).toEqual({ reason: "x", retryable: true, kind: "stopped" });
    const legacy = foldEvents(emptyThreadState(T), [created, started, failure]);
    expect(legacy.messages[1]).toMatchObject({ status: "failed", error: { reason: "x", retryable: true } });
    expect(legacy.messages[1]?.error).not.toHaveProperty("kind");
  });

  it("takes the completed text over the deltas", () => {
    const state = foldEvents(emptyThreadState(T), [
      created,
      started,
      delta(0, "partial"),
      { id: "c", threadId: T, at, type: "message.completed", runId: "r1", messageId: "m_a", text: "final" },
    ]);
    expect(state.messages[1]?.text).toBe("final");
  });

  it("leaves the input state untouched", () => {
    const before = foldEvents(emptyThreadState(T), [created, started]);
    const copy = structuredClone(before);
    applyEvent(before, delta(0, "x"));
    expect(before).toEqual(copy);
  });

  it("ignores events for unknown messages", () => {
    const state = emptyThreadState(T);
    expect(applyEvent(state, delta(0, "x"))).toBe(state);
  });
});
