import type { Redis } from "ioredis";
import { noopMetrics } from "../../metrics/metrics.ts";
import { commandMeter } from "./command-metrics.ts";
import { connectRedis, type RedisConnectionOptions } from "./connection.ts";
import { createStreamMultiplexer, type RawEntry, type StreamTailer, type TailDriver } from "./multiplexer.ts";
import { createShardedTailer, type STREAMS_PER_READER } from "./sharded.ts";

/**
 * The shared blocking reader of a process: `XREAD BLOCK` over every watched stream, on
 * one connection per {@link STREAMS_PER_READER} streams (see createShardedTailer);
 * `commands` (another connection) sends `CLIENT UNBLOCK` when a stream is added or
 * dropped, so the change takes effect at once.
 */
export function createBlockingTailer(options: RedisConnectionOptions, commands?: Redis): StreamTailer {
  const control = commands ?? connectRedis(options.url, options.commandTimeoutMs ?? 3000, "murmur-tail-control");
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
  const blocker = connectRedis(options.url, timeout, options.readerName ?? "murmur-tail");
  // The connection's id, for CLIENT UNBLOCK: asked for before the first XREAD on each
  // connection (asked after, it would wait behind the block). False: unsupported.
  let blockerId: number | null | false = null;
  blocker.on("close", () => {
    if (blockerId !== false) blockerId = null;
  });
  let inflight: Promise<unknown> | null = null;
  const meter = commandMeter(options.metrics ?? noopMetrics);

  const driver: TailDriver = {
    async read(streams) {
      if (blockerId === null) {
        blockerId = await meter
          .measure("client_id", () => blocker.client("ID"))
          .then(Number, (error: unknown) => {
            // A connection failure is the read's failure; a refusal means no CLIENT ID here,
            // and changes then wait for the block to end.
            if (blocker.status !== "ready") throw error;
            return false as const;
          });
      }
      const keys = streams.map(([key]) => key);
      const ids = streams.map(([, id]) => id);
      const request = meter.measure("xread", () => blocker.xread("COUNT", 1000, "BLOCK", blockMs, "STREAMS", ...keys, ...ids));
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
        const id = blockerId;
        if (Number(await meter.measure("client_unblock", () => control.client("UNBLOCK", id))) === 1) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    pauseAfter: () => 0,
    async close() {
      blocker.disconnect();
    },
  };
  return createStreamMultiplexer(driver, options.onError, options.settleMs);
}
