import { signWebhook } from "@murmur/core/auth";
import { createSseCollector } from "@murmur/core/testing";
import { describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { createLocalDeps } from "./local/deps.ts";
import { testConfig } from "./testing/config.ts";

function setup(env: Record<string, string> = {}) {
  const deps = createLocalDeps(testConfig(env));
  const app = createApp(deps);
  const request = (path: string, init: RequestInit & { token?: string; json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set("Authorization", `Bearer ${init.token}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set("Content-Type", "application/json");
      body = JSON.stringify(init.json);
    }
    return app.request(path, { ...init, headers, body });
  };
  const session = async () => (await (await request("/api/session", { method: "POST" })).json()).token as string;
  const newThread = async (token: string) =>
    (await (await request("/api/chats", { method: "POST", token, json: {} })).json()).thread.id as string;
  /** Every event in the thread's log, to show a refused request wrote nothing. */
  const logSize = async (threadId: string) => {
    const read = await deps.log.read(threadId, null, 100_000);
    return read.kind === "events" ? read.events.length : -1;
  };
  return { deps, app, request, session, newThread, logSize };
}

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

describe("sessions", () => {
  it("issues a token and an HttpOnly cookie, and renews the same session", async () => {
    const { request } = setup();
    const res = await request("/api/session", { method: "POST" });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.sessionId).toMatch(/^s_[0-9a-f]{32}$/);
    const cookie = res.headers.get("Set-Cookie") ?? "";
    expect(cookie).toMatch(/^murmur_session=v1\./);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    const again = await request("/api/session", { method: "POST", headers: { Cookie: cookie.split(";")[0] as string } });
    expect((await again.json()).sessionId).toBe(body.sessionId);
  });

  it("refuses the API without a valid session", async () => {
    const { request } = setup();
    expect(await errorOf(await request("/api/chats"))).toMatchObject({
      code: "unauthorized",
      message: expect.stringContaining("POST /api/session"),
    });
    const forged = await request("/api/chats", { token: "v1.eyJzaWQiOiJ4IiwiZXhwIjo5OTk5OTk5OTk5fQ.AAAA" });
    expect(forged.status).toBe(401);
    expect((await errorOf(forged)).message).toBe("session token signature does not match");
  });
});

describe("chats", () => {
  it("creates, lists and reads threads of the caller only", async () => {
    const { request, session, newThread } = setup();
    const alice = await session();
    const bob = await session();
    const t1 = await newThread(alice);
    const t2 = await newThread(alice);
    await newThread(bob);
    const list = await (await request("/api/chats", { token: alice })).json();
    expect(list.threads.map((t: { id: string }) => t.id).sort()).toEqual([t1, t2].sort());
    const read = await request(`/api/chats/${t1}`, { token: alice });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({
      thread: { id: t1, title: null },
      state: { threadId: t1, messages: [] },
      cursor: expect.stringMatching(/:0-0$/),
    });
  });

  it("refuses another session's thread, an unknown one and a malformed id", async () => {
    const { request, session, newThread, logSize } = setup();
    const alice = await session();
    const bob = await session();
    const t = await newThread(alice);
    for (const res of [
      await request(`/api/chats/${t}`, { token: bob }),
      await request(`/api/chats/sse/${t}`, { token: bob }),
      await request(`/api/chats/${t}/send`, { method: "POST", token: bob, json: { messageId: "m_1", text: "hi" } }),
    ]) {
      expect(res.status).toBe(403);
      expect((await errorOf(res)).message).toContain("belongs to another session");
    }
    expect(await logSize(t)).toBe(0);
    expect((await request("/api/chats/t_missing", { token: alice })).status).toBe(404);
    const bad = await request("/api/chats/bad%20id!", { token: alice });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toContain("threadId");
  });

  it("refuses a body on thread creation that it does not understand", async () => {
    const { request, session } = setup();
    const res = await request("/api/chats", { method: "POST", token: await session(), json: { owner: "someone" } });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain("owner");
  });
});

describe("send", () => {
  it("answers 202 at once, and the demo reply lands in the thread", async () => {
    const { deps, request, session, newThread } = setup();
    const token = await session();
    const t = await newThread(token);
    const res = await request(`/api/chats/${t}/send`, { method: "POST", token, json: { messageId: "m_1", text: "Hello" } });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ messageId: "m_1", runId: expect.stringMatching(/^r_/), duplicate: false });
    await deps.invoker.idle();
    const { state, thread } = await (await request(`/api/chats/${t}`, { token })).json();
    expect(thread.title).toBe("Hello");
    expect(state.messages.map((m: { role: string; status: string }) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "complete"],
    ]);
  });

  it("lands a retried send once", async () => {
    const { deps, request, session, newThread, logSize } = setup();
    const token = await session();
    const t = await newThread(token);
    const send = () => request(`/api/chats/${t}/send`, { method: "POST", token, json: { messageId: "m_1", text: "Hello" } });
    await send();
    await deps.invoker.idle();
    const size = await logSize(t);
    const again = await send();
    expect(again.status).toBe(202);
    expect((await again.json()).duplicate).toBe(true);
    await deps.invoker.idle();
    expect(await logSize(t)).toBe(size);
  });

  it.each([
    [{ text: "hi" }, 400, "messageId"],
    [{ messageId: "m 1", text: "hi" }, 400, "messageId"],
    [{ messageId: "m_1", text: "   " }, 400, "text: must not be empty"],
    [{ messageId: "m_1", text: 42 }, 400, "text: must be a string"],
    [{ messageId: "m_1", text: "x".repeat(16 * 1024 + 1) }, 413, "16385 bytes; a message may hold at most 16384 bytes"],
    [{ messageId: "m_1", text: "x".repeat(70 * 1024) }, 413, "request body exceeds 65536 bytes"],
  ])("refuses %#: %s -> %i", async (json, status, message) => {
    const { request, session, newThread, logSize } = setup();
    const token = await session();
    const t = await newThread(token);
    const res = await request(`/api/chats/${t}/send`, { method: "POST", token, json });
    expect(res.status).toBe(status);
    expect((await errorOf(res)).message).toContain(message);
    expect(await logSize(t)).toBe(0);
  });

  it("refuses a body that is not JSON", async () => {
    const { request, session, newThread } = setup();
    const token = await session();
    const t = await newThread(token);
    const res = await request(`/api/chats/${t}/send`, {
      method: "POST",
      token,
      body: "{nope",
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toBe("body is not valid JSON");
  });
});

describe("webhook", () => {
  async function withThread() {
    const ctx = setup();
    const token = await ctx.session();
    const threadId = await ctx.newThread(token);
    const body = JSON.stringify({
      threadId,
      events: [{ id: "ext:1", threadId, at: 1, type: "message.created", messageId: "m_ext", role: "user", text: "from an agent" }],
    });
    const post = (raw: string, signature?: string) =>
      ctx.request("/api/webhook/chat-response", {
        method: "POST",
        body: raw,
        headers: signature ? { "X-Murmur-Signature": signature } : {},
      });
    return { ...ctx, threadId, body, post };
  }

  it("accepts signed events once, however often they are delivered", async () => {
    const { body, post, threadId, logSize } = await withThread();
    const signature = await signWebhook("test-webhook-secret", body);
    const first = await post(body, signature);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await (await post(body, signature)).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await logSize(threadId)).toBe(1);
  });

  it("refuses unsigned, stale, wrongly signed and tampered deliveries, writing nothing", async () => {
    const { body, post, threadId, logSize } = await withThread();
    const now = Math.floor(Date.now() / 1000);
    const cases: [string | undefined, string, string][] = [
      [undefined, body, "unsigned webhook"],
      [await signWebhook("test-webhook-secret", body, now - 301), body, "stale"],
      [await signWebhook("another-secret-value", body), body, "does not match"],
      [await signWebhook("test-webhook-secret", body), body.replace("from an agent", "forged"), "does not match"],
    ];
    for (const [signature, raw, message] of cases) {
      const res = await post(raw, signature);
      expect(res.status).toBe(401);
      expect((await errorOf(res)).message).toContain(message);
    }
    expect(await logSize(threadId)).toBe(0);
  });

  it("names invalid events and writes none of the batch", async () => {
    const { post, threadId, logSize } = await withThread();
    const raw = JSON.stringify({
      threadId,
      events: [
        { id: "ok:1", threadId, at: 1, type: "message.created", messageId: "m_1", role: "user", text: "fine" },
        { id: "bad:2", threadId, at: 1, type: "message.delta", runId: "r", messageId: "a", seq: "x", text: "" },
      ],
    });
    const res = await post(raw, await signWebhook("test-webhook-secret", raw));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain("events[1].seq");
    expect(await logSize(threadId)).toBe(0);
  });
});

describe("stream route", () => {
  it("refuses a malformed cursor with 400, writing nothing", async () => {
    const { request, session, newThread, logSize, deps } = setup();
    const token = await session();
    const t = await newThread(token);
    for (const [query, headers] of [
      ["", { "Last-Event-ID": "12345" }],
      ["?after=nope", {}],
    ] as const) {
      const res = await request(`/api/chats/sse/${t}${query}`, { token, headers });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).message).toContain("malformed cursor");
    }
    const res = await request(`/api/chats/sse/${t}?threads=yes`, { token });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toBe('invalid query: threads: must be 1 when given, not "yes"');
    expect(await logSize(t)).toBe(0);
    expect(deps.streams.total).toBe(0);
  });

  it("streams with SSE headers and counts the open stream", async () => {
    const { request, session, newThread, deps } = setup();
    const token = await session();
    const t = await newThread(token);
    const controller = new AbortController();
    const res = await request(`/api/chats/sse/${t}`, { token, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("Cache-Control")).toContain("no-cache");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const sse = createSseCollector();
    let text = "";
    while (!sse.items.some((item) => item.event === "snapshot")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the stream ended before its snapshot");
      const chunk = decoder.decode(value, { stream: true });
      text += chunk;
      sse.feed(chunk);
    }
    expect(text.startsWith("retry: 1000\n\n")).toBe(true);
    expect(deps.streams.current).toBe(1);
    await reader.cancel();
    expect(deps.streams.current).toBe(0);
  });
});

describe("health and unknown routes", () => {
  it("reports the event log and open streams", async () => {
    const { request } = setup();
    const res = await request("/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "ok",
      mode: "local",
      eventLog: { adapter: "memory", ok: true },
      streams: { open: 0 },
    });
  });

  it("answers 503 when the event log is down", async () => {
    const { request, deps } = setup();
    await deps.log.close();
    const res = await request("/api/health");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "degraded", eventLog: { ok: false, error: "event log is closed" } });
  });

  it("answers JSON 404 for an unknown route", async () => {
    const { request } = setup();
    const res = await request("/api/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(await errorOf(res)).toEqual({ code: "not_found", message: "no route for GET /api/nope" });
  });
});
