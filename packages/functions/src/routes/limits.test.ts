import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../app.ts";
import { createLocalDeps } from "../local/deps.ts";
import { testConfig } from "../testing/config.ts";

// Each limit of README "Limits", over the app as both runtimes serve it: what the caller
// over the limit gets (status, JSON error naming the limit, Retry-After), and that another
// session is not touched by it (invariant I7).

async function setup(env: Record<string, string>) {
  const deps = createLocalDeps(testConfig({ DEMO_PACE_MS: "0", ...env }));
  const app = createApp(deps);
  const session = async () => {
    const token = (await (await app.request("/api/session", { method: "POST" })).json()).token as string;
    const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const post = (path: string, json: unknown) => app.request(path, { method: "POST", headers, body: JSON.stringify(json) });
    const newThread = async () => (await (await post("/api/chats", {})).json()).thread.id as string;
    const send = (threadId: string, messageId: string) => post(`/api/chats/${threadId}/send`, { messageId, text: `hello ${messageId}` });
    const stream = (threadId: string) => app.request(`/api/chats/sse/${threadId}`, { headers });
    return { post, newThread, send, stream };
  };
  return { deps, session };
}

/** A refusal as the caller sees it: status, Retry-After (seconds, or null) and the JSON error. */
async function refusal(res: Response) {
  return { status: res.status, retryAfter: res.headers.get("Retry-After"), error: (await res.json()).error };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("limits", () => {
  it("sends per session: 429 naming the limit, with a Retry-After that is enough; other sessions unaffected", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { deps, session } = await setup({ LIMIT_SENDS_PER_MINUTE: "3" });
    const alice = await session();
    const threads = [await alice.newThread(), await alice.newThread(), await alice.newThread(), await alice.newThread()];
    for (const [i, threadId] of threads.slice(0, 3).entries()) expect((await alice.send(threadId, `m_${i}`)).status).toBe(202);
    const refused = await refusal(await alice.send(threads[3] as string, "m_3"));
    expect(refused).toEqual({
      status: 429,
      retryAfter: "20",
      error: {
        code: "rate_limited",
        limit: "session_sends",
        message: "too many sends from this session: at most 3 a minute (LIMIT_SENDS_PER_MINUTE); try again in 20 s",
      },
    });
    const bob = await session();
    expect((await bob.send(await bob.newThread(), "m_b")).status).toBe(202);
    // The refused send wrote nothing; after Retry-After it goes through.
    expect((await deps.log.snapshot(threads[3] as string)).state.messages).toEqual([]);
    vi.setSystemTime(Date.now() + 20_000);
    expect((await alice.send(threads[3] as string, "m_3")).status).toBe(202);
    await deps.invoker.idle();
  });

  it("sends per thread, regenerations included: 429 for that thread only", async () => {
    const { deps, session } = await setup({ LIMIT_THREAD_SENDS_PER_MINUTE: "2" });
    const alice = await session();
    const busy = await alice.newThread();
    expect((await alice.send(busy, "m_1")).status).toBe(202);
    await deps.invoker.idle();
    expect((await alice.post(`/api/chats/${busy}/messages/m_1/regenerate`, { attempt: 1 })).status).toBe(202);
    await deps.invoker.idle();
    const refused = await refusal(await alice.send(busy, "m_2"));
    expect(refused).toMatchObject({ status: 429, retryAfter: "30", error: { code: "rate_limited", limit: "thread_sends" } });
    expect(refused.error.message).toContain("LIMIT_THREAD_SENDS_PER_MINUTE");
    expect((await alice.send(await alice.newThread(), "m_3")).status).toBe(202);
    await deps.invoker.idle();
  });

  it("threads per session per hour", async () => {
    const { session } = await setup({ LIMIT_THREADS_PER_HOUR: "2" });
    const alice = await session();
    await alice.newThread();
    await alice.newThread();
    const refused = await refusal(await alice.post("/api/chats", {}));
    expect(refused).toMatchObject({ status: 429, retryAfter: "1800", error: { code: "rate_limited", limit: "session_threads" } });
    expect(refused.error.message).toContain("LIMIT_THREADS_PER_HOUR");
    expect((await (await session()).post("/api/chats", {})).status).toBe(201);
  });

  it("streams per session: the one over the limit is refused until one closes", async () => {
    const { deps, session } = await setup({ LIMIT_STREAMS_PER_SESSION: "2" });
    const alice = await session();
    const threadId = await alice.newThread();
    const open = [await alice.stream(threadId), await alice.stream(threadId)];
    expect(open.map((r) => r.status)).toEqual([200, 200]);
    const refused = await refusal(await alice.stream(threadId));
    expect(refused).toMatchObject({ status: 429, error: { code: "rate_limited", limit: "session_streams" } });
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(refused.error.message).toMatch(/at most 2 at once \(LIMIT_STREAMS_PER_SESSION\); close one, or try again/);
    const bob = await session();
    const bobs = await bob.stream(await bob.newThread());
    expect(bobs.status).toBe(200);
    // Closing a stream gives its slot back.
    await open[0]?.body?.cancel();
    await vi.waitFor(() => expect(deps.streams.current).toBe(2));
    const again = await alice.stream(threadId);
    expect(again.status).toBe(200);
    for (const res of [open[1], again, bobs]) await res?.body?.cancel();
  });

  it("one reply in flight per thread: a new message answers 409 while a reply streams; the same message again is a duplicate", async () => {
    const { deps, session } = await setup({ DEMO_PACE_MS: "50" });
    const alice = await session();
    const threadId = await alice.newThread();
    /** Stops a run once it streams (a stop before its start finds no run). */
    const stop = async (thread: string, runId: string) => {
      const reply = async () => (await deps.log.snapshot(thread)).state.messages.find((m) => m.runId === runId);
      await vi.waitFor(async () => expect((await reply())?.status).toBe("streaming"));
      expect((await alice.post(`/api/chats/${thread}/runs/${runId}/cancel`, {})).status).toBe(202);
    };
    const first = await (await alice.send(threadId, "m_1")).json();
    const refused = await refusal(await alice.send(threadId, "m_2"));
    expect(refused).toMatchObject({ status: 409, retryAfter: null, error: { code: "reply_in_progress" } });
    expect(refused.error.message).toContain("LIMIT_RUNS_PER_THREAD");
    expect(await (await alice.send(threadId, "m_1")).json()).toEqual({ ...first, duplicate: true });
    // Another thread of the same session is not held up.
    const other = await alice.newThread();
    const elsewhere = await alice.send(other, "m_3");
    expect(elsewhere.status).toBe(202);
    await stop(other, (await elsewhere.json()).runId);
    await stop(threadId, first.runId);
    await deps.invoker.idle();
    const next = await alice.send(threadId, "m_2");
    expect(next.status).toBe(202);
    await stop(threadId, (await next.json()).runId);
    await deps.invoker.idle();
    const messages = (await deps.log.snapshot(threadId)).state.messages;
    expect(messages.filter((m) => m.role === "user").map((m) => m.id)).toEqual(["m_1", "m_2"]);
  });

  it("the size of a message", async () => {
    const { session } = await setup({ LIMIT_MESSAGE_BYTES: "100" });
    const alice = await session();
    const res = await alice.post(`/api/chats/${await alice.newThread()}/send`, { messageId: "m_1", text: "é".repeat(51) });
    expect(await refusal(res)).toMatchObject({
      status: 413,
      error: { code: "payload_too_large", message: "text is 102 bytes; a message may hold at most 100 bytes (LIMIT_MESSAGE_BYTES)" },
    });
  });
});
