import { type RedisProcess, startRedisProcess } from "@murmur/core/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../testing/config.ts";
import { subscribeThread } from "../testing/sse.ts";
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

async function until(done: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("Redis faults, with a private redis-server", () => {
  it("a Redis restarted in the middle of a reply leaves every subscriber with the whole reply, no gap, no duplicate", async () => {
    const { server, api, token, newThread } = await start({ DEMO_PACE_MS: "30", SSE_RETRY_MS: "100" });
    try {
      const threadId = await newThread();
      const subscribers = [subscribe(server, token, threadId), subscribe(server, token, threadId)];
      await until(() => subscribers.every((s) => s.frames.some((f) => f.type === "snapshot")), 5000, "snapshots");
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
      await until(() => subscribers.every((s) => deltas(s).length >= 3), 5000, "first deltas");

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
      await new Promise((r) => setTimeout(r, 500));
      await redis.start();

      const completed = (s: (typeof subscribers)[0]) => s.frames.find((f) => f.event?.type === "message.completed")?.event;
      await until(() => subscribers.every((s) => completed(s)), 30_000, "the completed reply after the restart");
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
    const { server, token, newThread } = await start({ SSE_HEARTBEAT_MS: "100", REDIS_BLOCK_MS: "10000" });
    const probe = new Redis(redis.url);
    const readers: AbortController[] = [];
    try {
      const ids = await Promise.all(Array.from({ length: threads }, newThread));
      let pings = 0;
      let snapshots = 0;
      for (const id of ids) {
        for (let i = 0; i < perThread; i++) {
          const controller = new AbortController();
          readers.push(controller);
          const res = await fetch(`${server.url}/api/chats/sse/${id}`, {
            headers: { Authorization: `Bearer ${token}` },
            signal: controller.signal,
          });
          void (async () => {
            const decoder = new TextDecoder();
            try {
              for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
                const text = decoder.decode(chunk);
                pings += text.split(": ping").length - 1;
                snapshots += text.split("event: snapshot").length - 1;
              }
            } catch {
              // aborted at the end of the test
            }
          })();
        }
      }
      await until(
        () => snapshots === threads * perThread && server.deps.streams.current === threads * perThread,
        10_000,
        "every stream open",
      );
      await new Promise((r) => setTimeout(r, 300)); // let the catch-up reads settle

      const clients = String(await probe.client("LIST"))
        .trim()
        .split("\n");
      const blocking = clients.filter((line) => / cmd=xread /.test(line) && / flags=b /.test(line));
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
      const pingsBefore = pings;
      await new Promise((r) => setTimeout(r, 1000));
      const after = await calls();
      // 100 streams x ~10 heartbeats each went out, and Redis saw (almost) nothing.
      expect(pings - pingsBefore).toBeGreaterThanOrEqual(threads * perThread * 5);
      expect(after - before).toBeLessThanOrEqual(1);
    } finally {
      for (const controller of readers) controller.abort();
      probe.disconnect();
      await server.close();
    }
  }, 60_000);
});
