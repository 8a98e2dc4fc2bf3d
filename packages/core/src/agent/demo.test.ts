import { describe, expect, it } from "vitest";
import { createDemoAgent, demoReply, demoShape } from "./demo.ts";

const turn = { threadId: "t", runId: "r", replyTo: "m", prompt: "hello there", history: [] };

describe("demo responder", () => {
  it("is deterministic and quotes the prompt", () => {
    expect(demoReply(turn)).toBe(demoReply({ ...turn }));
    expect(demoReply(turn)).toContain('You wrote 2 words: "hello there"');
    expect(demoReply({ prompt: "x", history: [{ role: "user", text: "a" }] })).toContain("turn 2");
  });

  it("varies its reply with the message: a short answer, a list, a table, a code block with a language", () => {
    const reply = (prompt: string, attempt = 0) => demoReply({ prompt, history: [], attempt });
    expect(demoShape("hello there")).toBe("answer");
    expect(reply("hello there")).not.toMatch(/[*_`|#]/);
    expect(reply("give me a list of ideas")).toMatch(/^3\. .*\n {3}- /m);
    expect(reply("compare the designs in a table")).toMatch(/^\| design .*\n\| --- \|/m);
    expect(reply("show me some code")).toMatch(/^```ts\n[\s\S]*\n```$/m);
    expect(reply("show me some code")).toBe(reply("show me some code"));
    // A regeneration says so, and is just as deterministic.
    expect(reply("hello there", 1)).not.toBe(reply("hello there"));
    expect(reply("hello there", 1)).toBe(reply("hello there", 1));
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
