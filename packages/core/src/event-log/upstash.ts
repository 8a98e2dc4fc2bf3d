import { Redis } from "@upstash/redis";
import type { EventLogOptions } from "./event-log.ts";
import { measuredRunner } from "./redis/command-metrics.ts";
import { RedisEventLog, type ScriptRunner } from "./redis/engine.ts";
import { createStreamMultiplexer, type RawEntry, type StreamTailer } from "./redis/multiplexer.ts";
import { POLL } from "./redis/scripts.ts";

export interface UpstashEventLogOptions extends EventLogOptions {
  readonly prefix: string;
  /** `UPSTASH_REDIS_REST_URL`. */
  readonly restUrl: string;
  /** `UPSTASH_REDIS_REST_TOKEN`. */
  readonly restToken: string;
  /**
   * How tails follow the log. Without one they poll over REST. For blocking reads over
   * the same database's TCP endpoint (the cloud's Stream function), pass
   * `createBlockingTailer({ url })`. Given, not built here, so that a process that only
   * writes and ranges (Api, Webhook, Agent) carries no TCP client: ioredis and its parts are
   * some 150 kB of a minified Lambda bundle (`npm run bundles`).
   */
  readonly tailer?: StreamTailer;
  /** Polling bounds: the interval right after activity, doubling up to the idle one. */
  readonly pollMinMs?: number;
  readonly pollMaxMs?: number;
  /** Reported when the polling tail fails (it keeps retrying). */
  readonly onError?: (error: unknown) => void;
}

/** The Upstash adapter's log: the Redis engine over Upstash's REST API. */
export type UpstashEventLog = RedisEventLog;

/**
 * Runs scripts over Upstash's REST API (one HTTPS request each, no connection to set
 * up), each through `createScript`: `EVALSHA`, falling back to `EVAL` when the server
 * does not know the script yet.
 */
export function createUpstashRunner(client: Redis): ScriptRunner {
  const scripts = new Map<string, ReturnType<Redis["createScript"]>>();
  return {
    run(script, keys, args) {
      let handle = scripts.get(script);
      if (!handle) {
        handle = client.createScript(script);
        scripts.set(script, handle);
      }
      return handle.exec([...keys], args.map(String));
    },
    async *scan(pattern) {
      let cursor: string | number = 0;
      do {
        const [next, keys]: [string | number, string[]] = await client.scan(cursor, { match: pattern, count: 1000 });
        cursor = next;
        if (keys.length > 0) yield keys;
      } while (String(cursor) !== "0");
    },
    async ping() {
      await client.ping();
    },
    async close() {},
  };
}

/**
 * A REST-only tail. Upstash's REST API has no blocking XREAD, so one poll (a
 * non-blocking multi-stream XREAD) covers every watched stream of the process: every
 * `pollMinMs` right after activity, doubling to `pollMaxMs` while nothing arrives. Idle
 * cost: 60000 / pollMaxMs commands per minute per process, whatever the number of tails.
 */
export function createPollingTailer(
  runner: ScriptRunner,
  pollMinMs = 100,
  pollMaxMs = 2000,
  onError?: (error: unknown) => void,
): StreamTailer {
  return createStreamMultiplexer(
    {
      async read(streams) {
        const keys = streams.map(([key]) => key);
        const ids = streams.map(([, id]) => id);
        return (await runner.run(POLL, keys, [1000, ...ids])) as [string, RawEntry[]][] | null;
      },
      async interrupt() {},
      pauseAfter: (emptyReads) => Math.min(pollMaxMs, pollMinMs * 2 ** Math.min(16, emptyReads - 1)),
      async close() {},
    },
    onError,
  );
}

/**
 * The Upstash adapter: appends and ranges over REST with `@upstash/redis`; tails follow
 * with `options.tailer` when given (blocking over TCP, in the cloud), and poll over REST
 * otherwise. Closing the log closes its tailer.
 */
export function createUpstashEventLog(options: UpstashEventLogOptions): UpstashEventLog {
  const client = new Redis({
    url: options.restUrl,
    token: options.restToken,
    automaticDeserialization: false,
    retry: { retries: 2, backoff: (n) => 50 * 2 ** n },
  });
  const rest = createUpstashRunner(client);
  const runner = options.metrics ? measuredRunner(rest, options.metrics) : rest;
  const tailer = options.tailer ?? createPollingTailer(runner, options.pollMinMs, options.pollMaxMs, options.onError);
  return new RedisEventLog("upstash", runner, tailer, options);
}
