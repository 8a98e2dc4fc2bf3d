import { runIdsFor } from "@murmur/core/agent";
import { errorReply, type FakeOpenAiServer, startFakeOpenAi, streamedReply } from "@murmur/core/testing";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../app.ts";
import { createLocalDeps } from "../local/deps.ts";
import { testConfig } from "../testing/config.ts";

let model: FakeOpenAiServer;
beforeEach(async () => {
  model = await startFakeOpenAi();
});
afterEach(async () => {
  await model.close();
});

async function setup() {
  const config = testConfig({ AGENT: "openai", OPENAI_BASE_URL: model.url, OPENAI_MODEL: "m", OPENAI_MAX_RETRIES: "0" });
  const deps = createLocalDeps(config);
  const app = createApp(deps);
  const token = (await (await app.request("/api/session", { method: "POST" })).json()).token as string;
  const post = async (path: string, json: unknown) =>
    app.request(path, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify(json),
    });
  const threadId = (await (await post("/api/chats", {})).json()).thread.id as string;
  const replies = async () => (await deps.log.snapshot(threadId)).state.messages.filter((m) => m.role === "assistant");
  return { deps, post, threadId, replies };
}

describe("send", () => {
  it("answers a resend after a retryable failure with the run that actually starts, which the cancel route stops", async () => {
    const { deps, post, threadId, replies } = await setup();
    model.respond(errorReply(503, "overloaded"));
    const first = await (await post(`/api/chats/${threadId}/send`, { messageId: "m_1", text: "hello" })).json();
    await deps.invoker.idle();
    expect(await replies()).toMatchObject([{ runId: first.runId, status: "failed", error: { retryable: true, kind: "agent_error" } }]);

    // The retry streams slowly, so there is time to stop it.
    model.respond(streamedReply(["one ", "two ", "three ", "four ", "five ", "six "], 150));
    const retry = await post(`/api/chats/${threadId}/send`, { messageId: "m_1", text: "hello" });
    expect(retry.status).toBe(202);
    const second = await retry.json();
    expect(second).toMatchObject({ messageId: "m_1", duplicate: true });
    expect(second.runId).not.toBe(first.runId);
    expect(second.runId).toBe((await runIdsFor(threadId, "m_1", 1)).runId);
    await vi.waitFor(async () => expect((await replies())[1]).toMatchObject({ runId: second.runId, status: "streaming" }));

    // Asking again while it streams names the same live run, and starts nothing new.
    expect((await (await post(`/api/chats/${threadId}/send`, { messageId: "m_1", text: "hello" })).json()).runId).toBe(second.runId);

    const cancel = await post(`/api/chats/${threadId}/runs/${second.runId}/cancel`, {});
    // The stop waits for the reply to end (routes/runs.ts): it answers how it ended.
    expect(await cancel.json()).toEqual({ runId: second.runId, status: "failed" });
    await deps.invoker.idle();
    const all = await replies();
    expect(all).toHaveLength(2);
    expect(all[1]).toMatchObject({ runId: second.runId, status: "failed", error: { kind: "stopped" } });
    expect(model.requests).toHaveLength(2);
  });
});
