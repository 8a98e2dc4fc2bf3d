import { afterEach, describe, expect, it } from "vitest";
import { testConfig } from "../testing/config.ts";
import { receivedCompletions, receivedDeltas, receivedTypes, subscribeThread } from "../testing/sse.ts";
import { type LocalServer, startLocalServer } from "./start.ts";

/** How long a subscriber waits for what it expects. */
const WAIT = { timeout: 10_000 } as const;

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(env: Record<string, string> = {}) {
  const server = await startLocalServer(testConfig({ DEMO_PACE_MS: "15", ...env }), { webDist: "/nonexistent" });
  servers.push(server);
  const api = async (path: string, init: RequestInit = {}, token?: string) => {
    const res = await fetch(`${server.url}/api${path}`, {
      ...init,
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}), ...init.headers },
    });
    return { status: res.status, body: await res.json() };
  };
  const { body: session } = await api("/session", { method: "POST" });
  const token = session.token as string;
  const { body: created } = await api("/chats", { method: "POST", body: "{}" }, token);
  const threadId = created.thread.id as string;
  const send = (messageId: string, text: string) =>
    api(`/chats/${threadId}/send`, { method: "POST", body: JSON.stringify({ messageId, text }) }, token);
  return { server, token, threadId, send, api };
}

describe("local server end to end, over HTTP on loopback", () => {
  it("streams a sent message's reply: deltas, then the completion", async () => {
    const { server, token, threadId, send } = await start();
    const sub = subscribeThread(`${server.url}/api/chats/sse/${threadId}`, token);
    await expect.poll(() => receivedTypes(sub.received), WAIT).toContain("snapshot");
    const sent = await send("m_1", "Hello over loopback");
    expect(sent.status).toBe(202);
    await expect.poll(() => receivedCompletions(sub.received), WAIT).toHaveLength(1);
    sub.source.close();
    const types = sub.received.map((r) => r.type);
    expect(types.slice(0, 3)).toEqual(["snapshot", "message.created", "run.started"]);
    expect(types.at(-1)).toBe("message.completed");
    const parts = receivedDeltas(sub.received);
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.map((d) => d.text).join("")).toBe(receivedCompletions(sub.received)[0]?.text);
    expect(receivedCompletions(sub.received)[0]?.text).toContain("Hello over loopback");
  });

  it("resumes with Last-Event-ID after a dropped connection: no gap, no duplicate", async () => {
    const { server, token, threadId, send } = await start({ DEMO_PACE_MS: "25" });
    const url = `${server.url}/api/chats/sse/${threadId}`;
    const first = subscribeThread(url, token);
    await expect.poll(() => receivedTypes(first.received), WAIT).toContain("snapshot");
    await send("m_1", "Tell me something long enough to interrupt");
    await expect.poll(() => receivedDeltas(first.received).length, WAIT).toBeGreaterThanOrEqual(3);
    first.source.close(); // drop in the middle of the reply
    const lastId = first.received.at(-1)?.id as string;
    const seenBeforeDrop = receivedDeltas(first.received).length;

    // The reply moves on while nobody listens: the log holds a delta the first subscriber never saw.
    const loggedDeltas = async () => {
      const read = await server.deps.log.read(threadId, null, 100_000);
      return read.kind === "events" ? read.events.filter((e) => e.event.type === "message.delta").length : 0;
    };
    await expect.poll(loggedDeltas, WAIT).toBeGreaterThan(seenBeforeDrop);
    const second = subscribeThread(url, token, lastId);
    await expect.poll(() => receivedCompletions(second.received), WAIT).toHaveLength(1);
    second.source.close();

    expect(second.received.some((r) => r.type === "snapshot" || r.type === "reset")).toBe(false);
    const all = [...receivedDeltas(first.received), ...receivedDeltas(second.received)];
    expect(receivedDeltas(second.received).length).toBeGreaterThan(0);
    expect(all.map((d) => d.seq)).toEqual(all.map((_, i) => i));
    expect(all.map((d) => d.text).join("")).toBe(receivedCompletions(second.received)[0]?.text);
    expect(seenBeforeDrop).toBeGreaterThanOrEqual(3);
    const ids = [...first.received, ...second.received].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("survives planned closes: the client reconnects by itself and misses nothing", async () => {
    const { server, token, threadId, send } = await start({ DEMO_PACE_MS: "20", SSE_MAX_DURATION_MS: "250", SSE_RETRY_MS: "50" });
    const sub = subscribeThread(`${server.url}/api/chats/sse/${threadId}`, token);
    await expect.poll(() => receivedTypes(sub.received), WAIT).toContain("snapshot");
    await send("m_1", "A reply that outlives several planned closes");
    await expect.poll(() => receivedCompletions(sub.received), { timeout: 15_000 }).toHaveLength(1);
    sub.source.close();
    expect(sub.received.filter((r) => r.type === "close").length).toBeGreaterThanOrEqual(2);
    expect(sub.received.filter((r) => r.type === "snapshot")).toHaveLength(1);
    const parts = receivedDeltas(sub.received);
    expect(parts.map((d) => d.seq)).toEqual(parts.map((_, i) => i));
    expect(parts.map((d) => d.text).join("")).toBe(receivedCompletions(sub.received)[0]?.text);
    expect(server.deps.streams.total).toBeGreaterThanOrEqual(3);
  });

  it("gives two subscribers of one thread the same events in the same order", async () => {
    const { server, token, threadId, send } = await start();
    const url = `${server.url}/api/chats/sse/${threadId}`;
    const a = subscribeThread(url, token);
    const b = subscribeThread(url, token);
    await expect.poll(() => receivedTypes(a.received), WAIT).toContain("snapshot");
    await expect.poll(() => receivedTypes(b.received), WAIT).toContain("snapshot");
    await send("m_1", "Both tabs");
    await expect.poll(() => receivedCompletions(a.received), WAIT).toHaveLength(1);
    await expect.poll(() => receivedCompletions(b.received), WAIT).toHaveLength(1);
    a.source.close();
    b.source.close();
    const ids = (s: typeof a) => s.received.filter((r) => r.event).map((r) => r.id);
    expect(ids(a)).toEqual(ids(b));
  });

  it("refuses what it must, and none of it changes the log", async () => {
    const { server, token, threadId, send, api } = await start();
    const before = await api(`/chats/${threadId}`, {}, token);
    const other = (await api("/session", { method: "POST" })).body.token as string;
    const results = [
      await api(`/chats/${threadId}`, {}, other),
      await api(`/chats/${threadId}/send`, { method: "POST", body: JSON.stringify({ messageId: "m_x", text: "x".repeat(17_000) }) }, token),
      await api("/webhook/chat-response", { method: "POST", body: JSON.stringify({ threadId, events: [] }) }),
      await api(`/chats/sse/${threadId}?after=not-a-cursor`, {}, token),
    ];
    expect(results.map((r) => r.status)).toEqual([403, 413, 401, 400]);
    const after = await api(`/chats/${threadId}`, {}, token);
    expect(after.body.cursor).toBe(before.body.cursor);
    expect(after.body.state).toEqual(before.body.state);
    expect((await send("m_ok", "still works")).status).toBe(202);
    expect(server.deps.streams.current).toBe(0);
  });
});
