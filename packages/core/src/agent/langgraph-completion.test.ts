import { describe, expect, it } from "vitest";
import { completionEvent, lastAiText, parseLangGraphCompletion } from "./langgraph-completion.ts";

const run = { threadId: "t_1", runId: "r_1", messageId: "a_1" };
const body = (extra: object) => parseLangGraphCompletion({ run_id: "6f9c", thread_id: "0b1e", assistant_id: "agent", ...extra });

describe("LangGraph run completion", () => {
  it("records the last AI message of a successful run as the completed reply", () => {
    const values = {
      messages: [
        { type: "human", content: "hi", id: "m_1" },
        { type: "ai", content: "first answer", id: "x" },
        { type: "tool", content: "tool output", id: "y" },
        {
          type: "ai",
          content: [
            { type: "text", text: "final " },
            { type: "tool_use", id: "z" },
            { type: "text", text: "answer" },
          ],
          id: "w",
        },
        { type: "ai", content: "", id: "v", tool_calls: [{ name: "search" }] },
      ],
    };
    expect(completionEvent(run, body({ status: "success", values }), 5)).toEqual({
      id: "r_1:completed",
      threadId: "t_1",
      at: 5,
      type: "message.completed",
      runId: "r_1",
      messageId: "a_1",
      text: "final answer",
    });
  });

  it("reads the message shapes LangGraph servers send", () => {
    expect(lastAiText({ messages: [{ role: "assistant", content: "by role" }] })).toBe("by role");
    expect(
      lastAiText({
        messages: [{ lc: 1, type: "constructor", id: ["langchain_core", "messages", "AIMessage"], kwargs: { content: "lc" } }],
      }),
    ).toBe("lc");
    expect(lastAiText({ messages: [{ type: "AIMessageChunk", content: "chunk" }] })).toBe("chunk");
    expect(lastAiText({ messages: [{ type: "human", content: "no ai" }] })).toBeNull();
    expect(lastAiText({ other: 1 })).toBeNull();
    expect(lastAiText(undefined)).toBeNull();
  });

  it.each([
    [{ status: "interrupted" }, "stopped", true],
    [{ status: "error", error: "KeyError: 'secret internals'" }, "agent_error", true, "the LangGraph run failed"],
    [{ status: "timeout" }, "timeout", true, "the LangGraph run timed out"],
    [
      { status: "success", values: { messages: [{ type: "human", content: "hi" }] } },
      "agent_error",
      false,
      "the LangGraph run finished without an AI message",
    ],
    [
      { status: "success", values: { messages: [{ type: "ai", content: "x".repeat(65 * 1024) }] } },
      "too_large",
      false,
      "the reply is longer than 64 KB",
    ],
  ])("records a run that ended with %o as failed", (extra, kind, retryable, reason?: string) => {
    const event = completionEvent(run, body(extra));
    expect(event).toMatchObject({ id: "r_1:failed", type: "message.failed", kind, retryable });
    if (reason) expect(event).toMatchObject({ reason });
  });

  it("names what is wrong with a body that is not a run completion", () => {
    expect(() => parseLangGraphCompletion({ run_id: 1, status: "pending" })).toThrow(
      "invalid LangGraph run completion: run_id: must be a string; status: must be success, error, interrupted or timeout",
    );
  });
});
