import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { missingTool, type RedisProcess, type RedisProcessOptions, startRedisProcess } from "./redis-process.ts";

const run = promisify(execFile);

/** A private Redis Cluster of masters on loopback, each a {@link RedisProcess} a test may kill and start again. */
export interface RedisClusterProcess {
  readonly nodes: readonly RedisProcess[];
  /** Every node's address, as the cluster adapter's `nodes` option takes them. */
  readonly addresses: readonly { readonly host: string; readonly port: number }[];
  /** The seed list, as `REDIS_CLUSTER_NODES` takes it: `127.0.0.1:P1,127.0.0.1:P2,…`. */
  readonly seeds: string;
  /** The same as a `redis+cluster://` URL. */
  readonly url: string;
  /** The master serving `key`'s slot. */
  nodeOf(key: string): Promise<RedisProcess>;
  /** Resolves once every node reports `cluster_state:ok` with all 16384 slots served. */
  healthy(timeoutMs?: number): Promise<void>;
  /** Kills every node and removes its data. */
  stop(): Promise<void>;
}

export interface RedisClusterOptions extends Pick<RedisProcessOptions, "persistence"> {
  /** Masters (no replicas); at least 3, as `redis-cli --cluster create` requires. */
  readonly masters?: number;
  /** `cluster-node-timeout`: how long a node may be unreachable before the others mark it failing. */
  readonly nodeTimeoutMs?: number;
}

/**
 * Starts a Redis Cluster on free loopback ports: `redis-server --cluster-enabled yes`
 * per master, each in a temporary data directory holding its `nodes-<port>.conf` (so a
 * killed node restarted with `start()` rejoins with its id and slots), then
 * `redis-cli --cluster create … --cluster-replicas 0`, then waits for `cluster_state:ok`
 * on every node. Needs `redis-server` and `redis-cli` (7.0 or newer: sharded pub/sub) on
 * PATH, and fails with a message saying so without them. Persistence defaults to `none`.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterProcess> {
  const masters = Math.max(3, options.masters ?? 3);
  const nodes: RedisProcess[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      nodes.push(
        await startRedisProcess({
          persistence: options.persistence ?? "none",
          args: ["--cluster-enabled", "yes", "--cluster-node-timeout", String(options.nodeTimeoutMs ?? 3000)],
        }),
      );
    }
    // Each node names its config file by its port (the data directory is its own anyway).
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run("redis-cli", ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"], {
      timeout: 30_000,
    }).catch((error: unknown) => {
      throw (error as { code?: string }).code === "ENOENT"
        ? missingTool("redis-cli", error)
        : new Error("redis-cli --cluster create failed", { cause: error });
    });
    const cluster: RedisClusterProcess = {
      nodes,
      addresses: nodes.map((node) => ({ host: "127.0.0.1", port: node.port })),
      seeds: addresses.join(","),
      url: `redis+cluster://${addresses.join(",")}`,
      async nodeOf(key) {
        const slot = Number(await command(nodes[0] as RedisProcess, "CLUSTER", "KEYSLOT", key));
        const ranges = (await command(nodes[0] as RedisProcess, "CLUSTER", "SLOTS")) as [number, number, [string, number]][];
        const port = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2][1];
        const node = nodes.find((n) => n.port === port);
        if (!node) throw new Error(`no node serves slot ${slot}`);
        return node;
      },
      async healthy(timeoutMs = 20_000) {
        const until = Date.now() + timeoutMs;
        let last = "";
        for (let wait = 20; ; wait = Math.min(200, wait * 2)) {
          const states = await Promise.all(nodes.map((node) => command(node, "CLUSTER", "INFO").catch((e: Error) => e.message)));
          if (states.every((info) => /cluster_state:ok/.test(String(info)) && /cluster_slots_ok:16384/.test(String(info)))) return;
          last = states.map(String).join(" | ").replace(/\s+/g, " ").slice(0, 500);
          if (Date.now() > until) throw new Error(`the cluster is not healthy after ${timeoutMs} ms: ${last}`);
          await new Promise((r) => setTimeout(r, wait)); // polling for a condition, with backoff
        }
      },
      async stop() {
        await Promise.all(nodes.map((node) => node.stop()));
      },
    };
    await cluster.healthy();
    return cluster;
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw error;
  }
}

/** One command on one node, over a connection of its own that does not retry. */
async function command(node: RedisProcess, ...args: string[]): Promise<unknown> {
  const client = new Redis(node.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return await client.call(args[0] as string, ...args.slice(1));
  } finally {
    client.disconnect();
  }
}
