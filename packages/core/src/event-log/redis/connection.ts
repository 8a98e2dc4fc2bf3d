import { Cluster, Redis } from "ioredis";
import type { Metrics } from "../../metrics/metrics.ts";

// ioredis over node-redis: Lua through EVALSHA (`defineCommand`), bounded command
// timeouts with reconnection that never gives up, and plain duplicate connections for
// the blocking readers. Both adapters block over TCP with it (Upstash's TCP endpoint in
// the cloud), so it lives with the engine rather than in either adapter.

/** Connection settings shared by the Redis adapter and the cloud tailer. */
export interface RedisConnectionOptions {
  /** `redis://` or `rediss://` (TLS, e.g. Upstash's TCP endpoint). */
  readonly url: string;
  /** A command that gets no answer within this fails with UnavailableError. */
  readonly commandTimeoutMs?: number;
  /** Longest one `XREAD BLOCK` waits; an idle process sends one command per this interval. */
  readonly blockMs?: number;
  /** The blocking readers' connection name, as `CLIENT LIST` shows it. Default `murmur-tail`. */
  readonly readerName?: string;
  /** Reported when the reader loop fails (it keeps retrying). */
  readonly onError?: (error: unknown) => void;
  /** Where the blocking readers count their commands (see command-metrics.ts); default nowhere. */
  readonly metrics?: Metrics;
  /**
   * False: the readers send no `CLIENT` command at all (no `SETNAME`, `ID` or `UNBLOCK`),
   * and a pending read is ended by a fresh connection instead (see createBlockingTailer).
   * Upstash documents `CLIENT ID` but not `CLIENT UNBLOCK`, and every command is billed:
   * the Stream function sets this. Default true: tried, and given up when refused.
   */
  readonly clientCommands?: boolean;
}

/**
 * An ioredis connection with Murmur's timeouts: fails commands fast, reconnects forever.
 * A `name` is set with `CLIENT SETNAME` on every (re)connect; without one, nothing but
 * `AUTH` (when the URL has a password) precedes the first command.
 */
export function connectRedis(url: string, commandTimeout: number, name?: string): Redis {
  const client = new Redis(url, {
    connectionName: name,
    commandTimeout,
    connectTimeout: Math.max(1000, commandTimeout),
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, 1000),
    lazyConnect: false,
    // No INFO ready check and no CLIENT SETINFO on each (re)connect: commands a per-command
    // service bills, for nothing (a command before Redis is ready just fails and is retried).
    enableReadyCheck: false,
    disableClientInfo: true,
  });
  // Errors surface on the commands that fail; without a listener ioredis prints each one.
  client.on("error", () => {});
  return client;
}

/** Where a Redis Cluster is and how to log in: `REDIS_CLUSTER_NODES`, or a `redis+cluster://` URL. */
export interface RedisClusterConnectionOptions {
  /** Seed nodes: a few of the cluster's nodes; the client learns the rest (and the slots) from them. */
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  readonly username?: string;
  readonly password?: string;
  /** TLS to every node (`rediss+cluster://`). */
  readonly tls?: boolean;
  /** A command that gets no answer within this fails with UnavailableError. */
  readonly commandTimeoutMs?: number;
  /** Reported when the live reader fails (it keeps retrying). */
  readonly onError?: (error: unknown) => void;
}

function nodeOptions(options: RedisClusterConnectionOptions, commandTimeout: number, name: string) {
  return {
    connectionName: name,
    commandTimeout,
    connectTimeout: Math.max(1000, commandTimeout),
    maxRetriesPerRequest: 1,
    enableReadyCheck: false,
    disableClientInfo: true,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
    ...(options.tls ? { tls: {} } : {}),
  };
}

/**
 * An ioredis Cluster client with Murmur's timeouts: each command goes to the master of its
 * key's slot (a script to the slot of its first key), fails within the command timeout
 * while that master is unreachable, and the client keeps reconnecting and refreshing the
 * slot map in the background.
 */
export function connectRedisCluster(options: RedisClusterConnectionOptions, name: string): Cluster {
  const timeout = options.commandTimeoutMs ?? 3000;
  const cluster = new Cluster(
    options.nodes.map(({ host, port }) => ({ host, port })),
    {
      redisOptions: nodeOptions(options, timeout, name),
      scaleReads: "master",
      clusterRetryStrategy: (times) => Math.min(times * 100, 1000),
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: Math.max(1000, timeout),
    },
  );
  cluster.on("error", () => {});
  return cluster;
}

/**
 * A connection of its own to one cluster node (`host:port` as the slot map names it), for
 * sharded pub/sub: it reconnects forever and never resubscribes by itself (the cluster
 * tailer does, then reads what it missed).
 */
export function connectClusterNode(options: RedisClusterConnectionOptions, nodeKey: string, name: string): Redis {
  const split = nodeKey.lastIndexOf(":");
  const client = new Redis({
    ...nodeOptions(options, options.commandTimeoutMs ?? 3000, name),
    host: nodeKey.slice(0, split),
    port: Number(nodeKey.slice(split + 1)),
    autoResubscribe: false,
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  client.on("error", () => {});
  return client;
}
