import type { Redis } from "ioredis";
import { noopMetrics } from "../../metrics/metrics.ts";
import { commandMeter } from "./command-metrics.ts";
import { connectRedis, type RedisConnectionOptions } from "./connection.ts";
import { createStreamMultiplexer, type RawEntry, type StreamTailer, type TailDriver } from "./multiplexer.ts";
import { createShardedTailer, type STREAMS_PER_READER } from "./sharded.ts";

/**
 * The shared blocking reader of a process: `XREAD BLOCK` over every watched stream, on
 * one connection per {@link STREAMS_PER_READER} streams (see createShardedTailer).
 * Adding a stream must not wait out the block, so a pending read is ended at once:
 * - with `CLIENT UNBLOCK` from `commands` (another connection), where the server allows
 *   it (a local Redis; not documented by Upstash, whose proxy need not honour it);
 * - else by a fresh connection: the pending read's connection is dropped (its entries
 *   stay in the streams and are read again from the same ids) and the next read goes out
 *   on a new one at once. Watches added in one turn of the event loop share one new
 *   connection. (Short blocks instead would not do: Redis ends a block on its own clock,
 *   `hz` 10 by default, so `BLOCK 50` measured 70 to 105 ms here.)
 * `clientCommands: false` skips `CLIENT` altogether (the Stream function, which also
 * announces its watches with `expect`, so its first read names them all).
 */
export function createBlockingTailer(options: RedisConnectionOptions, commands?: Redis): StreamTailer {
  const useClient = options.clientCommands !== false;
  const control = useClient ? (commands ?? connectRedis(options.url, options.commandTimeoutMs ?? 3000, "murmur-tail-control")) : null;
  const sharded = createShardedTailer(() => createBlockingReader(options, control));
  return {
    watch: sharded.watch,
    position: sharded.position,
    expect: sharded.expect,
    async close() {
      await sharded.close();
      if (control && !commands) control.disconnect();
    },
  };
}

interface Read {
  readonly connection: Redis;
}

/** Whether Redis itself refused a command (unknown, renamed, denied by ACL), rather than the connection failing. */
const refused = (error: unknown) => error instanceof Error && error.name === "ReplyError";

/** One blocking reader: a connection of its own running the multiplexer's `XREAD BLOCK`. */
function createBlockingReader(options: RedisConnectionOptions, control: Redis | null): StreamTailer {
  const blockMs = options.blockMs ?? 10_000;
  const timeout = (options.commandTimeoutMs ?? 3000) + blockMs;
  const name = control ? (options.readerName ?? "murmur-tail") : undefined;
  let connection: Redis | null = null;
  /** The connection's id for CLIENT UNBLOCK, asked before its first XREAD (after, it would wait behind the block). */
  let connectionId: number | null = null;
  /** Whether CLIENT UNBLOCK ends our reads here: unknown until tried; false once refused or ignored. */
  let unblocks: boolean | undefined = control ? undefined : false;
  let pending: Read | null = null;
  const dropped = new WeakSet<Redis>();
  const meter = commandMeter(options.metrics ?? noopMetrics);
  /** Bumped by every added watch: a read whose set-up saw one names a stale set of streams. */
  let added = 0;

  const connect = () => {
    const made = connectRedis(options.url, timeout, name);
    made.on("close", () => {
      if (connection === made) connectionId = null;
    });
    connection = made;
    connectionId = null;
    return made;
  };
  /** Drops the current connection (a pending read on it ends with an error, taken as "nothing yet"). */
  const drop = () => {
    if (!connection) return;
    dropped.add(connection);
    connection.disconnect();
    connection = null;
    connectionId = null;
    pending = null;
  };

  const unblock = async (target: Read): Promise<boolean> => {
    if (!control || unblocks === false || connectionId === null) return false;
    // The UNBLOCK can overtake the XREAD it is meant for; try a few times until it lands.
    for (let attempt = 0; attempt < 5 && pending === target; attempt++) {
      try {
        const id = connectionId;
        if (Number(await meter.measure("client_unblock", () => control.client("UNBLOCK", id))) === 1) {
          unblocks = true;
          return true;
        }
      } catch (error) {
        if (refused(error)) unblocks = false;
        return false;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    // Never landed, on a server where it never has: it does not pass UNBLOCK on.
    if (pending === target && unblocks === undefined) unblocks = false;
    return pending !== target;
  };

  const driver: TailDriver = {
    async read(streams) {
      const conn = connection ?? connect();
      if (control && unblocks !== false && connectionId === null) {
        const seen = added;
        connectionId = await meter
          .measure("client_id", () => conn.client("ID"))
          .then(Number, (error: unknown) => {
            // A connection failure is the read's failure; a refusal means no CLIENT here.
            if (!refused(error)) throw error;
            unblocks = false;
            return null;
          });
        if (added !== seen) return null; // a watch came meanwhile: read again, naming it
      }
      const keys = streams.map(([key]) => key);
      const ids = streams.map(([, id]) => id);
      const read: Read = { connection: conn };
      pending = read;
      try {
        const xread = () => conn.xread("COUNT", 1000, "BLOCK", blockMs, "STREAMS", ...keys, ...ids);
        return (await meter.measure("xread", xread, () => dropped.has(conn))) as [string, RawEntry[]][] | null;
      } catch (error) {
        // Ended on purpose by a fresh connection: read again at once, from the same ids.
        if (dropped.has(conn)) return null;
        throw error;
      } finally {
        if (pending === read) pending = null;
      }
    },
    async interrupt() {
      added++;
      // The first watch after idling: connect now, while the watchers catch up.
      if (!connection) return void connect();
      const target = pending;
      if (!target || (await unblock(target)) || pending !== target) return;
      // The pending read is left behind with its connection; the next goes out on a new one.
      drop();
      connect();
    },
    idle() {
      // A read pending for nobody would hold the next watch back: without UNBLOCK, drop it now
      // (a Lambda is frozen between invocations; its next stream starts on a fresh connection).
      if (pending && unblocks === false) drop();
    },
    pauseAfter: () => 0,
    async close() {
      drop();
    },
  };
  return createStreamMultiplexer(driver, options.onError);
}
