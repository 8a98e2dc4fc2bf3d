import { Redis } from "ioredis";
import type { EventLogOptions } from "./event-log.ts";
import { RedisBackedEventLog, type ScriptRunner } from "./redis-log.ts";
import { createStreamMultiplexer, type RawEntry, type StreamTailer, type TailDriver } from "./redis-tailer.ts";
import { isNoScript, scriptSha } from "./script-sha.ts";
import { createShardedTailer, type STREAMS_PER_READER } from "./sharded-tailer.ts";

// ioredis over node-redis: Lua through EVALSHA with our own cache, bounded command
// timeouts with reconnection that never gives up, and a plain duplicate connection for
// the one blocking reader.

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
}

export interface RedisEventLogOptions extends EventLogOptions, RedisConnectionOptions {
  readonly prefix: string;
}

function connect(url: string, commandTimeout: number, name: string): Redis {
  const client = new Redis(url, {
    connectionName: name,
    commandTimeout,
    connectTimeout: Math.max(1000, commandTimeout),
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, 1000),
    lazyConnect: false,
  });
  // Errors surface on the commands that fail; without a listener ioredis prints each one.
  client.on("error", () => {});
  return client;
}

/** Runs scripts on one ioredis connection. */
export function createIoredisRunner(client: Redis): ScriptRunner {
  return {
    async run(script, keys, args) {
      const sha = await scriptSha(script);
      try {
        return await client.evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return await client.eval(script, keys.length, ...keys, ...args);
      }
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
 * The shared blocking reader of a process: `XREAD BLOCK` over every watched stream, on
 * one connection per {@link STREAMS_PER_READER} streams (see createShardedTailer);
 * `commands` (another connection) sends `CLIENT UNBLOCK` when a stream is added or
 * dropped, so the change takes effect at once.
 */
export function createBlockingTailer(options: RedisConnectionOptions, commands?: Redis): StreamTailer {
  const control = commands ?? connect(options.url, options.commandTimeoutMs ?? 3000, "murmur-tail-control");
  const sharded = createShardedTailer(() => createBlockingReader(options, control));
  return {
    watch: sharded.watch,
    position: sharded.position,
    async close() {
      await sharded.close();
      if (!commands) control.disconnect();
    },
  };
}

/** One blocking reader: a connection of its own running the multiplexer's `XREAD BLOCK`. */
function createBlockingReader(options: RedisConnectionOptions, control: Redis): StreamTailer {
  const blockMs = options.blockMs ?? 10_000;
  const timeout = (options.commandTimeoutMs ?? 3000) + blockMs;
  const blocker = connect(options.url, timeout, options.readerName ?? "murmur-tail");
  // The connection's id, for CLIENT UNBLOCK: asked for before the first XREAD on each
  // connection (asked after, it would wait behind the block). False: unsupported.
  let blockerId: number | null | false = null;
  blocker.on("close", () => {
    if (blockerId !== false) blockerId = null;
  });
  let inflight: Promise<unknown> | null = null;

  const driver: TailDriver = {
    async read(streams) {
      if (blockerId === null) {
        blockerId = await blocker.client("ID").then(Number, (error: unknown) => {
          // A connection failure is the read's failure; a refusal means no CLIENT ID here,
          // and changes then wait for the block to end.
          if (blocker.status !== "ready") throw error;
          return false as const;
        });
      }
      const keys = streams.map(([key]) => key);
      const ids = streams.map(([, id]) => id);
      const request = blocker.xread("COUNT", 1000, "BLOCK", blockMs, "STREAMS", ...keys, ...ids);
      inflight = request;
      try {
        return (await request) as [string, RawEntry[]][] | null;
      } finally {
        inflight = null;
      }
    },
    async interrupt() {
      const target = inflight;
      // The UNBLOCK can overtake the XREAD it is meant for; try a few times until it lands.
      for (let attempt = 0; attempt < 5 && target && inflight === target && typeof blockerId === "number"; attempt++) {
        if (Number(await control.client("UNBLOCK", blockerId)) === 1) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    pauseAfter: () => 0,
    async close() {
      blocker.disconnect();
    },
  };
  return createStreamMultiplexer(driver, options.onError);
}

/**
 * The Redis (TCP) adapter: durable, shared by every process that points at the same
 * Redis, so any process can serve any subscriber. Two connections per process: one for
 * commands, one for the shared blocking reader.
 */
export function createRedisEventLog(options: RedisEventLogOptions): RedisBackedEventLog {
  const client = connect(options.url, options.commandTimeoutMs ?? 3000, "murmur");
  return new RedisBackedEventLog("redis", createIoredisRunner(client), createBlockingTailer(options, client), options);
}
