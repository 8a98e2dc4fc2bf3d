import type { Cluster, Redis } from "ioredis";
import type { EventLogOptions } from "./event-log.ts";
import { createBlockingTailer } from "./redis/blocking-reader.ts";
import { measuredRunner } from "./redis/command-metrics.ts";
import { connectRedis, type RedisConnectionOptions } from "./redis/connection.ts";
import { RedisEventLog, type ScriptRunner } from "./redis/engine.ts";
import type { StreamTailer } from "./redis/multiplexer.ts";

export type { RedisConnectionOptions } from "./redis/connection.ts";

export interface RedisEventLogOptions extends EventLogOptions, RedisConnectionOptions {
  readonly prefix: string;
}

/**
 * Runs the engine's scripts on an ioredis connection or cluster client. Each script
 * becomes a command of its own (`defineCommand`), which sends `EVALSHA` and falls back to
 * `EVAL` once when the server (on a cluster: the master of the first key's slot) does not
 * know the script yet.
 */
export function createIoredisRunner(client: Redis | Cluster, ping: () => Promise<unknown> = () => client.ping()): ScriptRunner {
  const names = new Map<string, string>();
  const command = (script: string) => {
    let name = names.get(script);
    if (!name) {
      name = `murmur${names.size}`;
      client.defineCommand(name, { lua: script });
      names.set(script, name);
    }
    return name;
  };
  return {
    run(script, keys, args) {
      const run = (client as unknown as Record<string, (...argv: (string | number)[]) => Promise<unknown>>)[command(script)];
      return (run as (...argv: (string | number)[]) => Promise<unknown>).call(client, keys.length, ...keys, ...args);
    },
    async *scan(pattern) {
      // A cluster's keys are on its masters, each scanned on its own.
      const nodes = (client as Cluster).isCluster ? (client as Cluster).nodes("master") : [client as Redis];
      for (const node of nodes) {
        let cursor = "0";
        do {
          const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
          cursor = next;
          if (keys.length > 0) yield keys;
        } while (cursor !== "0");
      }
    },
    async ping() {
      await ping();
    },
    async close() {
      client.disconnect();
    },
  };
}

/**
 * The Redis (TCP) adapter: durable, shared by every process that points at the same
 * Redis, so any process can serve any subscriber. Connections per process: one for
 * commands, and one per blocking reader (see createBlockingTailer).
 */
export function createRedisEventLog(options: RedisEventLogOptions): RedisEventLog {
  return createRedisParts(options).log;
}

/**
 * The Redis adapter's log with its parts: the script runner (for a caller's own scripts on
 * the same connection) and the shared reader (for `expect`). With `clientCommands: false`
 * no connection sends any `CLIENT` command, `SETNAME` included. With `metrics`, the log's
 * commands are counted (see command-metrics.ts); the runner returned is the counted one.
 */
export function createRedisParts(options: RedisEventLogOptions): { log: RedisEventLog; runner: ScriptRunner; tailer: StreamTailer } {
  const named = options.clientCommands !== false;
  const client = connectRedis(options.url, options.commandTimeoutMs ?? 3000, named ? "murmur" : undefined);
  const plain = createIoredisRunner(client);
  const runner = options.metrics ? measuredRunner(plain, options.metrics) : plain;
  const tailer = createBlockingTailer(options, client);
  return { log: new RedisEventLog("redis", runner, tailer, options), runner, tailer };
}
