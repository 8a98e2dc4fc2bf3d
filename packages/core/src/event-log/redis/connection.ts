import { Redis } from "ioredis";
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
  /** See `createStreamMultiplexer`: 0 (read at once) for a server; a few ms for a function serving one stream. */
  readonly settleMs?: number;
  /** Where the blocking readers count their commands (see command-metrics.ts); default nowhere. */
  readonly metrics?: Metrics;
}

/** An ioredis connection with Murmur's timeouts: fails commands fast, reconnects forever. */
export function connectRedis(url: string, commandTimeout: number, name: string): Redis {
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
