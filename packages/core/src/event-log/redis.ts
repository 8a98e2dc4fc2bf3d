import type { Redis } from "ioredis";
import type { EventLogOptions } from "./event-log.ts";
import { createBlockingTailer } from "./redis/blocking-reader.ts";
import { measuredRunner } from "./redis/command-metrics.ts";
import { connectRedis, type RedisConnectionOptions } from "./redis/connection.ts";
import { RedisEventLog, type ScriptRunner } from "./redis/engine.ts";

export type { RedisConnectionOptions } from "./redis/connection.ts";

export interface RedisEventLogOptions extends EventLogOptions, RedisConnectionOptions {
  readonly prefix: string;
}

/**
 * Runs the engine's scripts on one ioredis connection. Each script becomes a command of
 * its own (`defineCommand`), which sends `EVALSHA` and falls back to `EVAL` once when
 * the server does not know the script yet.
 */
export function createIoredisRunner(client: Redis): ScriptRunner {
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
    async ping() {
      await client.ping();
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
  const client = connectRedis(options.url, options.commandTimeoutMs ?? 3000, "murmur");
  const runner = createIoredisRunner(client);
  const measured = options.metrics ? measuredRunner(runner, options.metrics) : runner;
  return new RedisEventLog("redis", measured, createBlockingTailer(options, client), options);
}
