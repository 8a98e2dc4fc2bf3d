import { createSseCollector, type RedisProcess, type SseCollector, startRedisProcess } from "@murmur/core/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { testConfig } from "../testing/config.ts";
import { receivedTypes, subscribeThread } from "../testing/sse.ts";
import { type LocalServer, startLocalServer } from "./start.ts";

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedisProcess();
});
afterAll(async () => {
  await redis?.stop();
});

async function start(env: Record<string, string> = {}) {
  const server = await startLocalServer(testConfig({ REDIS_URL: redis.url, MURMUR_KEY_PREFIX: `faults${Date.now()}`, ...env }), {
    webDist: "/nonexistent",
  });
  const api = async (path: string, init: RequestInit = {}, token?: string) => {
    const res = await fetch(`${server.url}/api${path}`, {
      ...init,
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });
    return { status: res.status, headers: res.headers, body: await res.json() };
  };
  const token = (await api("/session", { method: "POST" })).body.token as string;
  const newThread = async () => (await api("/chats", { method: "POST", body: "{}" }, token)).body.thread.id as string;
  return { server, api, token, newThread };
}

function subscribe(server: LocalServer, token: string, threadId: string) {
  const { source, received } = subscribeThread(`${server.url}/api/chats/sse/${threadId}`, token);
  return { source, frames: received };
}

describe("Redis faults, with a private redis-server", () => {
  it("a Redis restarted in the middle of a reply leaves every subscriber with the whole reply, no gap, no duplicate", async () => {
    const { server, api, token, newThread } = await start({ DEMO_PACE_MS: "30", SSE_RETRY_MS: "100" });
    try {
      const threadId = await newThread();
      const subscribers = [subscribe(server, token, threadId), subscribe(server, token, threadId)];
      await expect
        .poll(() => subscribers.map((s) => receivedTypes(s.frames).includes("snapshot")), {
          timeout: 5000,
          interval: 25,
          message: "snapshots",
        })
        .toEqual([true, true]);
      expect(
        (
          await api(
            `/chats/${threadId}/send`,
            { method: "POST", body: JSON.stringify({ messageId: "m_1", text: "survive a restart" }) },
            token,
          )
        ).status,
      ).toBe(202);
      const deltas = (s: (typeof subscribers)[0]) => s.frames.flatMap((f) => (f.event?.type === "message.delta" ? [f.event] : []));
      await expect
        .poll(() => Math.min(...subscribers.map((s) => deltas(s).length)), { timeout: 5000, interval: 25, message: "first deltas" })
        .toBeGreaterThanOrEqual(3);

      await redis.kill();
      // While Redis is down, a send fails cleanly and says when to retry.
      const refused = await api(
        `/chats/${threadId}/send`,
        { method: "POST", body: JSON.stringify({ messageId: "m_down", text: "lost?" }) },
        token,
      );
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(refused.body.error.message).toMatch(/event log unreachable/);
      await new Promise((r) => setTimeout(r, 500)); // Redis stays down a while: the reply in progress runs into the outage
      await redis.start();

      const completed = (s: (typeof subscribers)[0]) => s.frames.find((f) => f.event?.type === "message.completed")?.event;
      await expect
        .poll(() => subscribers.map((s) => completed(s) !== undefined), {
          timeout: 30_000,
          interval: 25,
          message: "the completed reply after the restart",
        })
        .toEqual([true, true]);
      for (const s of subscribers) {
        s.source.close();
        const parts = deltas(s);
        expect(parts.map((d) => d.seq)).toEqual(parts.map((_, i) => i));
        expect(parts.map((d) => d.text).join("")).toBe((completed(s) as { text: string }).text);
        const ids = s.frames.filter((f) => f.event).map((f) => f.id);
        expect(new Set(ids).size).toBe(ids.length);
      }
      // Nothing of the refused send was written.
      const thread = (await api(`/chats/${threadId}`, {}, token)).body;
      expect(thread.state.messages.map((m: { id: string }) => m.id)).not.toContain("m_down");
      expect(thread.state.messages).toHaveLength(2);
    } finally {
      await server.close();
    }
  }, 60_000);

  it("keeps threads and messages across a restart of the server", async () => {
    const prefix = `restart${Date.now()}`;
    const first = await start({ MURMUR_KEY_PREFIX: prefix, DEMO_PACE_MS: "0" });
    const threadId = await first.newThread();
    await first.api(
      `/chats/${threadId}/send`,
      { method: "POST", body: JSON.stringify({ messageId: "m_1", text: "remember me" }) },
      first.token,
    );
    await first.server.deps.invoker.idle();
    await first.server.close();

    const second = await startLocalServer(testConfig({ REDIS_URL: redis.url, MURMUR_KEY_PREFIX: prefix }), { webDist: "/nonexistent" });
    try {
      const headers = { Authorization: `Bearer ${first.token}` };
      const list = await (await fetch(`${second.url}/api/chats`, { headers })).json();
      expect(list.threads).toEqual([expect.objectContaining({ id: threadId, title: "remember me" })]);
      const thread = await (await fetch(`${second.url}/api/chats/${threadId}`, { headers })).json();
      expect(thread.state.messages.map((m: { role: string; status: string }) => `${m.role}:${m.status}`)).toEqual([
        "user:complete",
        "assistant:complete",
      ]);
    } finally {
      await second.close();
    }
  });

  it("holds many streams with one blocking reader per process and no Redis command per heartbeat", async () => {
    const threads = 20;
    const perThread = 5;
    // One session holds all 100 streams: its stream limit is off here.
    const { server, token, newThread } = await start({ SSE_HEARTBEAT_MS: "100", REDIS_BLOCK_MS: "10000", LIMIT_STREAMS_PER_SESSION: "0" });
    const probe = new Redis(redis.url);
    const readers: AbortController[] = [];
    try {
      const ids = await Promise.all(Array.from({ length: threads }, newThread));
      const streams: SseCollector[] = [];
      const count = (what: (item: SseCollector["items"][number]) => boolean) =>
        streams.reduce((sum, stream) => sum + stream.items.filter(what).length, 0);
      const pings = () => count((item) => item.comment === "ping");
      const snapshots = () => count((item) => item.event === "snapshot");
      for (const id of ids) {
        for (let i = 0; i < perThread; i++) {
          const controller = new AbortController();
          readers.push(controller);
          const res = await fetch(`${server.url}/api/chats/sse/${id}`, {
            headers: { Authorization: `Bearer ${token}` },
            signal: controller.signal,
          });
          const sse = createSseCollector();
          streams.push(sse);
          void (async () => {
            const decoder = new TextDecoder();
            try {
              for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) sse.feed(decoder.decode(chunk, { stream: true }));
            } catch {
              // aborted at the end of the test
            }
          })();
        }
      }
      await expect
        .poll(() => ({ snapshots: snapshots(), open: server.deps.streams.current }), {
          timeout: 10_000,
          interval: 25,
          message: "every stream open",
        })
        .toEqual({ snapshots: threads * perThread, open: threads * perThread });
      // The catch-up reads are over: each stream sent its catch-up read right after its snapshot,
      // on the log's one command connection, and Redis answers a connection in order.
      await server.deps.log.ping();
      const clientList = async () =>
        String(await probe.client("LIST"))
          .trim()
          .split("\n");
      const blockingIn = (clients: string[]) => clients.filter((line) => / cmd=xread /.test(line) && / flags=b /.test(line));
      // The shared reader, woken for each stream that joined it, blocks again.
      const clients = await vi.waitFor(
        async () => {
          const list = await clientList();
          expect(blockingIn(list)).not.toHaveLength(0);
          return list;
        },
        { timeout: 5000, interval: 25 },
      );
      const blocking = blockingIn(clients);
      expect(blocking).toHaveLength(1);
      expect(clients.filter((line) => /name=murmur/.test(line)).length).toBeLessThanOrEqual(2);

      const calls = async () => {
        const info = String(await probe.info("commandstats"));
        let total = 0;
        for (const match of info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)) {
          if (!["info", "client", "ping"].includes(match[1] as string)) total += Number(match[2]);
        }
        return total;
      };
      const before = await calls();
      const pingsBefore = pings();
      await new Promise((r) => setTimeout(r, 1000)); // the window measured: a second of heartbeats
      const after = await calls();
      // 100 streams x ~10 heartbeats each went out, and Redis saw (almost) nothing.
      expect(pings() - pingsBefore).toBeGreaterThanOrEqual(threads * perThread * 5);
      expect(after - before).toBeLessThanOrEqual(1);
    } finally {
      for (const controller of readers) controller.abort();
      probe.disconnect();
      await server.close();
    }
  }, 60_000);
});
