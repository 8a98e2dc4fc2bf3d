import { threadTag } from "@murmur/core/event-log";
import {
  createSseCollector,
  REDIS_WITHOUT_CLIENT,
  REDIS_WITHOUT_CLIENT_UNBLOCK,
  type RedisClusterProcess,
  type RedisProcess,
  type SseCollector,
  startRedisCluster,
  startRedisProcess,
} from "@murmur/core/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { testConfig } from "../testing/config.ts";
import { receivedTypes, subscribeThread } from "../testing/sse.ts";
import { type LocalServer, startLocalServer } from "./start.ts";

/** Where the event log lives in one run of the fault suite: one private redis-server, or a private Redis Cluster. */
interface Setup {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The server's environment that points it at this Redis. */
  env(): Record<string, string>;
  /** The Redis processes: every one of them is counted and listed. */
  nodes(): readonly RedisProcess[];
  /** The process that serves `threadId` (a cluster: the master of its slot). */
  nodeOf(threadId: string): Promise<RedisProcess>;
  /** Checks, through `probes` (one per node), that the server follows its streams with the readers it should. */
  expectReaders(probes: readonly Redis[]): Promise<void>;
}

function subscribe(server: LocalServer, token: string, threadId: string) {
  const { source, received } = subscribeThread(`${server.url}/api/chats/sse/${threadId}`, token);
  return { source, frames: received };
}

const named = (clients: readonly string[]) => clients.filter((line) => /name=murmur/.test(line));
const blocked = (clients: readonly string[]) => clients.filter((line) => / cmd=xread /.test(line) && / flags=b /.test(line));

/**
 * One private redis-server: with every command, or as unkind as a hosted one (no CLIENT at
 * all, or CLIENT UNBLOCK refused: Upstash documents no UNBLOCK).
 */
function singleRedis(kind: string, args: readonly string[]): Setup {
  let redis: RedisProcess;
  return {
    name: `a private redis-server (${kind})`,
    start: async () => {
      redis = await startRedisProcess({ args });
    },
    stop: async () => redis?.stop(),
    env: () => ({ REDIS_URL: redis.url }),
    nodes: () => [redis],
    nodeOf: async () => redis,
    async expectReaders([probe]) {
      // INFO, not CLIENT LIST: it answers on every server here. One shared reader blocks for
      // every stream, and the process holds its command connection and that reader (beside the probe).
      const info = String(await (probe as Redis).info("clients"));
      const count = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1]);
      expect({ blocked: count("blocked_clients"), connected: count("connected_clients") }).toEqual({ blocked: 1, connected: 3 });
    },
  };
}

function redisCluster(): Setup {
  let cluster: RedisClusterProcess;
  return {
    name: "a private 3-master Redis Cluster",
    start: async () => {
      cluster = await startRedisCluster({ persistence: "always" });
    },
    stop: async () => cluster?.stop(),
    // A short command timeout: a command for the killed master fails within a second.
    env: () => ({ REDIS_CLUSTER_NODES: cluster.seeds, REDIS_COMMAND_TIMEOUT_MS: "1000" }),
    nodes: () => cluster.nodes,
    nodeOf: (threadId) => cluster.nodeOf(`{${threadTag(threadId)}}`),
    async expectReaders(probes) {
      const lists = await Promise.all(
        probes.map(async (probe) =>
          String(await probe.client("LIST"))
            .trim()
            .split("\n"),
        ),
      );
      // No blocking read anywhere: per master, the commands' connection and one sharded pub/sub feed.
      for (const clients of lists) {
        expect(blocked(clients)).toEqual([]);
        const names = named(clients).map((line) => / name=(\S+)/.exec(line)?.[1]);
        expect(names.filter((name) => name === "murmur-feed").length).toBeLessThanOrEqual(1);
        expect(names.length).toBeLessThanOrEqual(2);
      }
    },
  };
}

describe.each([
  singleRedis("every command", []),
  singleRedis('CLIENT disabled: rename-command CLIENT ""', REDIS_WITHOUT_CLIENT),
  singleRedis("CLIENT UNBLOCK denied by ACL", REDIS_WITHOUT_CLIENT_UNBLOCK),
  redisCluster(),
])("Redis faults, with $name", (setup) => {
  beforeAll(() => setup.start(), 60_000);
  afterAll(() => setup.stop());

  async function start(env: Record<string, string> = {}) {
    const server = await startLocalServer(testConfig({ ...setup.env(), MURMUR_KEY_PREFIX: `faults${Date.now()}`, ...env }), {
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

  /** Commands every node ran so far, without those of this test's probes. */
  async function calls(probes: readonly Redis[]) {
    let total = 0;
    for (const probe of probes) {
      const info = String(await probe.info("commandstats"));
      for (const match of info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)) {
        if (!["info", "client", "ping", "cluster"].includes(match[1] as string)) total += Number(match[2]);
      }
    }
    return total;
  }

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

      // Kill the Redis that holds the thread (on a cluster, its slot's master).
      const node = await setup.nodeOf(threadId);
      await node.kill();
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
      await node.start();

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

    const second = await startLocalServer(testConfig({ ...setup.env(), MURMUR_KEY_PREFIX: prefix }), { webDist: "/nonexistent" });
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

  it("holds many streams with the process's shared readers and no Redis command per heartbeat", async () => {
    const threads = 20;
    const perThread = 5;
    // One session holds all 100 streams: its stream limit is off here.
    const { server, token, newThread } = await start({ SSE_HEARTBEAT_MS: "100", REDIS_BLOCK_MS: "10000", LIMIT_STREAMS_PER_SESSION: "0" });
    const probes = setup.nodes().map((node) => new Redis(node.url));
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
      // The shared readers, told of each stream that joined them, are waiting again.
      await vi.waitFor(() => setup.expectReaders(probes), { timeout: 5000, interval: 25 });
      // And every read a join caused is answered: the count stands still.
      let settled = await calls(probes);
      await expect
        .poll(
          async () => {
            const now = await calls(probes);
            const still = now === settled;
            settled = now;
            return still;
          },
          { timeout: 5000, interval: 200 },
        )
        .toBe(true);
      const before = await calls(probes);
      const pingsBefore = pings();
      await new Promise((r) => setTimeout(r, 1000)); // the window measured: a second of heartbeats
      const after = await calls(probes);
      // 100 streams x ~10 heartbeats each went out, and Redis saw (almost) nothing.
      expect(pings() - pingsBefore).toBeGreaterThanOrEqual(threads * perThread * 5);
      expect(after - before).toBeLessThanOrEqual(1);
    } finally {
      for (const controller of readers) controller.abort();
      for (const probe of probes) probe.disconnect();
      await server.close();
    }
  }, 60_000);
});
