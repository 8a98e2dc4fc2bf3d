import { Redis } from "@upstash/redis";
import type { EventLogOptions } from "./event-log.ts";
import { createBlockingTailer } from "./redis/blocking-reader.ts";
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
   * A `redis://` or `rediss://` URL of the same database for blocking reads (the cloud
   * composition: Upstash's TCP endpoint). Without it, tails poll over REST.
   */
  readonly tailUrl?: string;
  /** Polling bounds: the interval right after activity, doubling up to the idle one. */
  readonly pollMinMs?: number;
  readonly pollMaxMs?: number;
  readonly blockMs?: number;
  /** Blocking tails: see `RedisConnectionOptions.settleMs`. */
  readonly settleMs?: number;
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
 * The Upstash adapter: appends and ranges over REST with `@upstash/redis`; tails block
 * over TCP when `tailUrl` is given (the cloud), and poll over REST otherwise.
 */
export function createUpstashEventLog(options: UpstashEventLogOptions): UpstashEventLog {
  const client = new Redis({
    url: options.restUrl,
    token: options.restToken,
    automaticDeserialization: false,
    retry: { retries: 2, backoff: (n) => 50 * 2 ** n },
  });
  const runner = createUpstashRunner(client);
  const tailer = options.tailUrl
    ? createBlockingTailer({ url: options.tailUrl, blockMs: options.blockMs, settleMs: options.settleMs, onError: options.onError })
    : createPollingTailer(runner, options.pollMinMs, options.pollMaxMs, options.onError);
  return new RedisEventLog("upstash", runner, tailer, options);
}
