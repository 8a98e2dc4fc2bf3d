import type { Cluster } from "ioredis";
import type { EventLogOptions } from "./event-log.ts";
import { createClusterTailer } from "./redis/cluster-tailer.ts";
import { measuredRunner } from "./redis/command-metrics.ts";
import { connectClusterNode, connectRedisCluster, type RedisClusterConnectionOptions } from "./redis/connection.ts";
import { RedisEventLog } from "./redis/engine.ts";
import { createIoredisRunner } from "./redis.ts";

export type { RedisClusterConnectionOptions } from "./redis/connection.ts";

export interface RedisClusterEventLogOptions extends EventLogOptions, RedisClusterConnectionOptions {
  readonly prefix: string;
}

/**
 * The Redis Cluster adapter: the same engine, scripts and key layout as the Redis adapter,
 * on a cluster of masters. Every key is hash-tagged (keys.ts), so each script touches one
 * slot and runs on the master serving it; an owner's threads, list and activity share one
 * slot, and different owners spread over the masters. Thread ids must carry their owner's
 * tag (`newThreadId`; createThread refuses others). Live reads follow what the scripts
 * publish over sharded pub/sub (see createClusterTailer). Connections per process: the
 * cluster client's one per master for commands, and one per master for sharded pub/sub.
 */
export function createRedisClusterEventLog(options: RedisClusterEventLogOptions): RedisEventLog {
  const cluster = connectRedisCluster(options, "murmur");
  const tailer = createClusterTailer(cluster, (node) => connectClusterNode(options, node, "murmur-feed"), options.onError);
  const runner = createIoredisRunner(cluster, () => pingMasters(cluster));
  return new RedisEventLog("redis-cluster", options.metrics ? measuredRunner(runner, options.metrics) : runner, tailer, {
    ...options,
    cluster: true,
  });
}

/** Every master answers (a cluster with one master down cannot serve that master's slots). */
async function pingMasters(cluster: Cluster): Promise<void> {
  const masters = cluster.nodes("master");
  if (masters.length === 0)
    await cluster.ping(); // not connected yet: fails, or connects
  else await Promise.all(masters.map((master) => master.ping()));
}
