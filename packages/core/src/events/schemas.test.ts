import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors/index.ts";
import { CHAT_EVENT_TYPES, MAX_MESSAGE_BYTES } from "./constants.ts";
import { ChatEventSchema, parseChatEvent } from "./schemas.ts";

const good = { id: "e1", threadId: "t_1", at: 1, type: "message.created", messageId: "m_1", role: "user", text: "hello" };

describe("event schemas", () => {
  it("accepts a valid event and lists every type", () => {
    expect(parseChatEvent(good)).toEqual(good);
    expect(CHAT_EVENT_TYPES).toEqual([
      "message.created",
      "run.started",
      "message.delta",
      "message.completed",
      "message.failed",
      "run.cancel_requested",
      "thread.read",
    ]);
    // The browser-safe list is written out by hand: it must name the schemas' types, in order.
    expect(CHAT_EVENT_TYPES).toEqual(ChatEventSchema.options.map((schema) => schema.entries.type.literal));
  });

  it("gives a failure a kind, and still accepts failures written before kinds existed", () => {
    const failed = {
      id: "r:failed",
      threadId: "t_1",
      at: 1,
      type: "message.failed",
      runId: "r",
      messageId: "a",
      reason: "x",
      retryable: true,
    };
    expect(parseChatEvent({ ...failed, kind: "stopped" })).toMatchObject({ kind: "stopped" });
    expect(parseChatEvent(failed)).not.toHaveProperty("kind");
    expect(() => parseChatEvent({ ...failed, kind: "gremlins" })).toThrow(/kind: must be one of stopped, agent_error/);
  });

  it("names the field that is wrong", () => {
    expect(() => parseChatEvent({ ...good, messageId: "bad id!" })).toThrow(/messageId: must be 1-64 characters/);
    expect(() => parseChatEvent({ ...good, text: "" })).toThrow(/text: must not be empty/);
    expect(() => parseChatEvent({ ...good, type: "nope" })).toThrow(ValidationError);
    expect(() => parseChatEvent({ ...good, extra: 1 })).toThrow(/extra/);
  });

  it("limits a user message to 16 KB of UTF-8", () => {
    expect(parseChatEvent({ ...good, text: "x".repeat(MAX_MESSAGE_BYTES) }).type).toBe("message.created");
    expect(() => parseChatEvent({ ...good, text: "é".repeat(MAX_MESSAGE_BYTES / 2 + 1) })).toThrow(/at most 16384 bytes/);
  });
});
