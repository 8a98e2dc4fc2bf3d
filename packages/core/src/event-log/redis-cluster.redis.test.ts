import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "../errors/index.ts";
import { type RedisClusterProcess, startRedisCluster } from "../testing/redis-cluster.ts";
import { uniquePrefix } from "../testing/redis-server.ts";
import { describeEventLogContract } from "./contract.ts";
import { createClusterTailer } from "./redis/cluster-tailer.ts";
import { connectClusterNode, connectRedisCluster } from "./redis/connection.ts";
import { newThreadId, ownerTag, threadKeys } from "./redis/keys.ts";
import { keySlot } from "./redis/slot.ts";
import { createRedisClusterEventLog } from "./redis-cluster.ts";

// A private 3-master Redis Cluster for this file (redis-server and redis-cli on PATH: the
// suite fails, never skips, without them).
let cluster: RedisClusterProcess;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const open = (prefix = uniquePrefix()) => createRedisClusterEventLog({ nodes: cluster.addresses, prefix, commandTimeoutMs: 2000 });

describeEventLogContract(
  "redis cluster",
  async (options) => createRedisClusterEventLog({ nodes: cluster.addresses, prefix: uniquePrefix(), ...options }),
  {
    threadId: newThreadId,
  },
);

/** Commands each node ran (`INFO commandstats`), without the probe's own. */
async function commandsByNode(): Promise<number[]> {
  return Promise.all(
    cluster.nodes.map(async (node) => {
      const client = new Redis(node.url, { maxRetriesPerRequest: 0 });
      try {
        let total = 0;
        for (const match of String(await client.info("commandstats")).matchAll(/cmdstat_([\w|]+):calls=(\d+)/g)) {
          if (!/^(info|cluster|client|ping|command)/.test(match[1] as string)) total += Number(match[2]);
        }
        return total;
      } finally {
        client.disconnect();
      }
    }),
  );
}

describe("redis cluster adapter", () => {
  it("computes slots as the cluster does", async () => {
    const client = new Redis(cluster.nodes[0]?.url as string);
    try {
      const keys = ["foo", "{user1000}.following", "foo{}{bar}", "foo{{bar}}zap", "héllo", threadKeys("p", newThreadId("s_1")).stream];
      const slots = await Promise.all(keys.map((key) => client.cluster("KEYSLOT", key)));
      expect(keys.map(keySlot)).toEqual(slots.map(Number));
    } finally {
      client.disconnect();
    }
  });

  it("refuses a thread id without its owner's tag, and spreads owners over the masters", async () => {
    const log = open();
    try {
      await expect(log.createThread({ id: "t_untagged", owner: "s_1", createdAt: 1 })).rejects.toBeInstanceOf(ValidationError);
      const owners = Array.from({ length: 30 }, (_, i) => `s_${i}`);
      const nodes = await Promise.all(owners.map((owner) => cluster.nodeOf(`{${ownerTag(owner)}}`)));
      expect(new Set(nodes.map((node) => node.port)).size).toBe(3);
      // Each owner's thread, list and live list on its own master, all working at once.
      await Promise.all(owners.map((owner) => log.createThread({ id: newThreadId(owner), owner, createdAt: 1 })));
      const lists = await Promise.all(owners.map((owner) => log.listThreads(owner)));
      expect(lists.map((list) => list.threads.length)).toEqual(owners.map(() => 1));
    } finally {
      await log.close();
    }
  });

  it("reads what a dropped feed missed, once: a tail gets every event across the feed's reconnection", async () => {
    const log = open();
    const controller = new AbortController();
    try {
      const owner = "s_dropped";
      const { id } = await log.createThread({ id: newThreadId(owner), owner, createdAt: 1 });
      const received: string[] = [];
      void (async () => {
        for await (const item of log.tail(id, (await log.snapshot(id)).cursor, controller.signal)) {
          if (item.kind === "events") received.push(...item.events.map((e) => e.event.id));
        }
      })();
      const message = (n: number) => ({
        id: `e_${n}`,
        threadId: id,
        at: 1,
        type: "message.created" as const,
        messageId: `m_${n}`,
        role: "user" as const,
        text: "hi",
      });
      await log.append(message(1));
      await expect.poll(() => received, { timeout: 5000, interval: 10 }).toEqual(["e_1"]);
      // The feed of the thread's master goes; what is published meanwhile reaches nobody.
      const node = new Redis((await cluster.nodeOf(`{${ownerTag(owner)}}`)).url);
      try {
        expect(Number(await node.client("KILL", "TYPE", "pubsub"))).toBeGreaterThan(0);
      } finally {
        node.disconnect();
      }
      await log.appendBatch(id, [message(2), message(3)]);
      await log.append(message(4));
      await expect.poll(() => received, { timeout: 10_000, interval: 10 }).toEqual(["e_1", "e_2", "e_3", "e_4"]);
      await log.append(message(5));
      await expect.poll(() => received.at(-1), { timeout: 5000, interval: 10 }).toBe("e_5");
      expect(received).toEqual(["e_1", "e_2", "e_3", "e_4", "e_5"]);
    } finally {
      controller.abort();
      await log.close();
    }
  });

  it("reads, on a watch of a stream still subscribed, what the new watcher has not seen", async () => {
    const client = connectRedisCluster({ nodes: cluster.addresses }, "test");
    const tailer = createClusterTailer(client, (node) => connectClusterNode({ nodes: cluster.addresses }, node, "test-feed"));
    const prefix = uniquePrefix();
    const key = `${prefix}:{rewatch}:s`;
    try {
      // As a script appends on a cluster: the entry, then the same entry published on the key.
      const append = async (prev: string) => {
        const id = String(await client.xadd(key, "*", "p", prev, "m", "x"));
        await client.call("SPUBLISH", key, JSON.stringify([[id, ["p", prev, "m", "x"]]]));
        return id;
      };
      const first: string[] = [];
      const stop = tailer.watch(key, "0-0", (entries) => first.push(...entries.map(([id]) => id)));
      const z = await append("0-0");
      await expect.poll(() => first, { timeout: 5000, interval: 10 }).toEqual([z]);
      // Subscribed now: `a` comes as a message, after any message before it.
      const a = await append(z);
      await expect.poll(() => first, { timeout: 5000, interval: 10 }).toEqual([z, a]);
      // In one tick, while the feed subscribes another stream of the node: the watch goes,
      // and a new one comes from before `a`. The subscription never drops, so only a read gives it `a`.
      tailer.watch(`${prefix}:{rewatch}:other`, "0-0", () => {});
      stop();
      const second: string[] = [];
      tailer.watch(key, z, (entries) => second.push(...entries.map(([id]) => id)));
      await expect.poll(() => second, { timeout: 3000, interval: 10 }).toEqual([a]);
    } finally {
      await client.del(key);
      await tailer.close();
      client.disconnect();
    }
  });

  it("follows threads on every master with two connections per master, and sends no command while idle", async () => {
    const prefix = uniquePrefix();
    const log = open(prefix);
    const tails: AbortController[] = [];
    try {
      const owners = Array.from({ length: 12 }, (_, i) => `s_idle${i}`);
      const threads = await Promise.all(owners.map((owner) => log.createThread({ id: newThreadId(owner), owner, createdAt: 1 })));
      const received = new Map<string, string[]>();
      for (const thread of threads) {
        const { cursor } = await log.snapshot(thread.id);
        const tail = new AbortController();
        tails.push(tail);
        void (async () => {
          for await (const item of log.tail(thread.id, cursor, tail.signal)) {
            if (item.kind === "events")
              received.set(thread.id, [...(received.get(thread.id) ?? []), ...item.events.map((e) => e.event.id)]);
          }
        })();
      }
      const message = (threadId: string, n: number) => ({
        id: `e_${n}`,
        threadId,
        at: 1,
        type: "message.created" as const,
        messageId: `m_${n}`,
        role: "user" as const,
        text: "hi",
      });
      await Promise.all(threads.map((thread) => log.append(message(thread.id, 1))));
      await expect.poll(() => threads.every((t) => received.get(t.id)?.length === 1), { timeout: 5000, interval: 10 }).toBe(true);
      // Idle: tails open on every master, nothing appended.
      const total = async () => (await commandsByNode()).reduce((a, b) => a + b, 0);
      let last = await total();
      // Settled: the deliveries' last reads are done once two readings agree.
      await expect
        .poll(
          async () => {
            const now = await total();
            const settled = now === last;
            last = now;
            return settled;
          },
          { timeout: 5000, interval: 200 },
        )
        .toBe(true);
      await new Promise((r) => setTimeout(r, 1000)); // the window measured: a second with nothing to do
      expect(await total()).toBe(last);
      // Connections: the cluster client's one per master, and one sharded pub/sub feed per master.
      for (const node of cluster.nodes) {
        const client = new Redis(node.url);
        const names = String(await client.client("LIST"))
          .split("\n")
          .map((line) => / name=(\S*)/.exec(line)?.[1])
          .filter((name) => name?.startsWith("murmur"));
        client.disconnect();
        expect(names.sort()).toEqual(["murmur", "murmur-feed"]);
      }
      await Promise.all(threads.map((thread) => log.append(message(thread.id, 2))));
      await expect.poll(() => threads.every((t) => received.get(t.id)?.join() === "e_1,e_2"), { timeout: 5000, interval: 10 }).toBe(true);
    } finally {
      for (const tail of tails) tail.abort();
      await log.close();
    }
  });
});
