import { describe, expect, it } from "vitest";
import { createDemoAgent, demoReply } from "./demo.ts";

const turn = { threadId: "t", runId: "r", replyTo: "m", prompt: "hello there", history: [] };

describe("demo responder", () => {
  it("is deterministic and quotes the prompt", () => {
    expect(demoReply(turn)).toBe(demoReply({ ...turn }));
    expect(demoReply(turn)).toContain('You wrote 2 words: "hello there"');
    expect(demoReply({ prompt: "x", history: [{ role: "user", text: "a" }] })).toContain("turn 2");
  });

  it("streams the reply word by word", async () => {
    const chunks: string[] = [];
    for await (const chunk of createDemoAgent({ paceMs: 0 }).reply(turn, new AbortController().signal)) chunks.push(chunk);
    expect(chunks.join("")).toBe(demoReply(turn));
    expect(chunks.length).toBe(demoReply(turn).split(" ").length);
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    const chunks: string[] = [];
    for await (const chunk of createDemoAgent({ paceMs: 5 }).reply(turn, controller.signal)) {
      chunks.push(chunk);
      if (chunks.length === 3) controller.abort();
    }
    expect(chunks).toHaveLength(3);
  });
});
