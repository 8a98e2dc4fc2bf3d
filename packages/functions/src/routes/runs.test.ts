import { describe, expect, it, vi } from "vitest";
import { createApp } from "../app.ts";
import { createLocalDeps } from "../local/deps.ts";
import { testConfig } from "../testing/config.ts";

async function setup() {
  const deps = createLocalDeps(testConfig({ DEMO_PACE_MS: "20" }));
  const app = createApp(deps);
  const request = (path: string, token: string, json?: unknown) =>
    app.request(path, {
      method: json === undefined ? "GET" : "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  const session = async () => (await (await app.request("/api/session", { method: "POST" })).json()).token as string;
  const token = await session();
  const threadId = (await (await request("/api/chats", token, {})).json()).thread.id as string;
  const events = async () => {
    const read = await deps.log.read(threadId, null, 100_000);
    return read.kind === "events" ? read.events.map((e) => e.event) : [];
  };
  return { deps, request, session, token, threadId, events };
}

describe("cancel a run", () => {
  it("stops the reply in progress, records the stop once, and answers 202 however often it is asked", async () => {
    const { deps, request, token, threadId, events } = await setup();
    const sent = await (await request(`/api/chats/${threadId}/send`, token, { messageId: "m_1", text: "a long question" })).json();
    await vi.waitFor(async () => expect((await events()).map((e) => e.type)).toContain("message.delta"), { timeout: 5000, interval: 5 });
    const cancel = () => request(`/api/chats/${threadId}/runs/${sent.runId}/cancel`, token, {});
    const first = await cancel();
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ runId: sent.runId, status: "failed" });
    expect((await cancel()).status).toBe(202);
    await deps.invoker.idle();
    expect(await (await cancel()).json()).toEqual({ runId: sent.runId, status: "failed" });
    const all = await events();
    expect(all.filter((e) => e.type === "run.cancel_requested")).toHaveLength(1);
    expect(all.filter((e) => e.type === "message.failed")).toEqual([expect.objectContaining({ kind: "stopped" })]);
    expect(all.some((e) => e.type === "message.completed")).toBe(false);
  });

  it("ends at once a reply whose runner is gone (a crash before its lease lapsed): kind stopped, retryable", async () => {
    const { deps, request, token, threadId, events } = await setup();
    // What a process that died mid-reply leaves: a run started, a delta, a live lease, no runner.
    const base = { threadId, runId: "r_orphan", messageId: "a_orphan" };
    await deps.log.append({ ...base, id: "u", at: Date.now(), type: "message.created", messageId: "m_x", role: "user", text: "hi" });
    await deps.log.append({ ...base, id: "s", at: Date.now(), type: "run.started", replyTo: "m_x", agent: "demo" });
    await deps.log.append({ ...base, id: "d", at: Date.now(), type: "message.delta", seq: 0, text: "half" });
    const started = Date.now();
    const res = await request(`/api/chats/${threadId}/runs/r_orphan/cancel`, token, {});
    expect(await res.json()).toEqual({ runId: "r_orphan", status: "failed" });
    // Within the grace (about 3 s here: a delta window, two cancel polls, a second), far before the 20 s lease.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await events()).filter((e) => e.type === "message.failed")).toEqual([
      expect.objectContaining({ runId: "r_orphan", kind: "stopped", retryable: true }),
    ]);
  });

  it("refuses an unknown run and another session's thread, writing nothing", async () => {
    const { request, session, token, threadId, events } = await setup();
    expect((await request(`/api/chats/${threadId}/runs/r_unknown/cancel`, token, {})).status).toBe(404);
    expect((await request(`/api/chats/${threadId}/runs/r_unknown/cancel`, await session(), {})).status).toBe(403);
    expect(await events()).toEqual([]);
  });
});

describe("read state", () => {
  it("records a read in the log and the thread record, for the owner only", async () => {
    const { request, session, token, threadId, events } = await setup();
    expect((await request(`/api/chats/${threadId}/read`, await session(), {})).status).toBe(403);
    const res = await request(`/api/chats/${threadId}/read`, token, {});
    expect(res.status).toBe(202);
    const { readAt } = await res.json();
    expect((await events()).map((e) => e.type)).toEqual(["thread.read"]);
    const { threads } = await (await request("/api/chats", token)).json();
    expect(threads[0]).toMatchObject({ id: threadId, readAt });
  });
});
