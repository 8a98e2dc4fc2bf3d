import { demoReply, runIdsFor } from "@murmur/core/agent";
import { describe, expect, it } from "vitest";
import { createApp } from "../app.ts";
import { createLocalDeps } from "../local/deps.ts";
import { testConfig } from "../testing/config.ts";

async function setup() {
  const deps = createLocalDeps(testConfig({ DEMO_PACE_MS: "0" }));
  const app = createApp(deps);
  const token = (await (await app.request("/api/session", { method: "POST" })).json()).token as string;
  const post = (path: string, json: unknown) =>
    app.request(path, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify(json),
    });
  const threadId = (await (await post("/api/chats", {})).json()).thread.id as string;
  const replies = async () => (await deps.log.snapshot(threadId)).state.messages.filter((m) => m.role === "assistant");
  return { deps, post, threadId, replies };
}

describe("regenerate the last reply", () => {
  it("starts the next attempt after a complete reply, once however often it is asked", async () => {
    const { deps, post, threadId, replies } = await setup();
    await post(`/api/chats/${threadId}/send`, { messageId: "m_1", text: "hello" });
    await deps.invoker.idle();
    // A plain resend of a completed message starts nothing: that is what regenerate is for.
    expect((await (await post(`/api/chats/${threadId}/send`, { messageId: "m_1", text: "hello" })).json()).duplicate).toBe(true);
    await deps.invoker.idle();
    expect(await replies()).toHaveLength(1);

    const path = `/api/chats/${threadId}/messages/m_1/regenerate`;
    const first = await post(path, { attempt: 1 });
    expect(first.status).toBe(202);
    const body = await first.json();
    expect(body).toEqual({ messageId: "m_1", runId: (await runIdsFor(threadId, "m_1", 1)).runId, attempt: 1, duplicate: false });
    await deps.invoker.idle();
    // A retry of the same regeneration starts nothing new.
    expect(await (await post(path, { attempt: 1 })).json()).toEqual({ ...body, duplicate: true });
    await deps.invoker.idle();
    const all = await replies();
    expect(all.map((m) => [m.runId, m.status])).toEqual([
      [(await runIdsFor(threadId, "m_1", 0)).runId, "complete"],
      [body.runId, "complete"],
    ]);
    expect(all[1]?.text).toBe(demoReply({ prompt: "hello", history: [], attempt: 1 }));
    expect(all[1]?.text).not.toBe(all[0]?.text);
  });

  it("refuses a message that is not the last, has no reply, or does not exist, and a bad attempt", async () => {
    const { deps, post, threadId } = await setup();
    await post(`/api/chats/${threadId}/send`, { messageId: "m_1", text: "one" });
    await deps.invoker.idle();
    await post(`/api/chats/${threadId}/send`, { messageId: "m_2", text: "two" });
    await deps.invoker.idle();
    const older = await post(`/api/chats/${threadId}/messages/m_1/regenerate`, { attempt: 1 });
    expect(older.status).toBe(409);
    expect((await older.json()).error.code).toBe("conflict");
    expect((await post(`/api/chats/${threadId}/messages/m_404/regenerate`, { attempt: 1 })).status).toBe(404);
    expect((await post(`/api/chats/${threadId}/messages/m_2/regenerate`, { attempt: 0 })).status).toBe(400);
    expect((await post(`/api/chats/${threadId}/messages/m_2/regenerate`, {})).status).toBe(400);
  });
});
