import type { StreamTailer } from "./multiplexer.ts";

/**
 * Most streams one blocking reader names. `XREAD` costs Redis time, and the client
 * bytes, in proportion to the streams it names, and the reader names all of them again
 * after every delivery; past this many, another reader (connection) takes the next ones.
 */
export const STREAMS_PER_READER = 256;

interface Shard {
  readonly tailer: StreamTailer;
  /** Watched stream -> how many watches it has through this shard. */
  readonly streams: Map<string, number>;
}

/**
 * A tailer over as many readers as the watched streams need: each stream goes to the
 * first reader naming fewer than `perReader` streams, and a new reader is made (by
 * `makeReader`) when all are full. A process with a few hundred threads live holds one
 * reader; with 10,000, about 40, each re-reading 256 streams after a delivery, not 10,000.
 */
export function createShardedTailer(makeReader: () => StreamTailer, perReader = STREAMS_PER_READER): StreamTailer {
  const shards: Shard[] = [];
  const shardOf = new Map<string, Shard>();
  return {
    watch(stream, fromId, onEntries) {
      let shard = shardOf.get(stream);
      if (!shard) {
        shard = shards.find((s) => s.streams.size < perReader);
        if (!shard) {
          shard = { tailer: makeReader(), streams: new Map() };
          shards.push(shard);
        }
        shardOf.set(stream, shard);
      }
      const owner = shard;
      owner.streams.set(stream, (owner.streams.get(stream) ?? 0) + 1);
      const unwatch = owner.tailer.watch(stream, fromId, onEntries);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        unwatch();
        const left = (owner.streams.get(stream) ?? 1) - 1;
        if (left > 0) return void owner.streams.set(stream, left);
        owner.streams.delete(stream);
        shardOf.delete(stream);
      };
    },
    position(stream) {
      return shardOf.get(stream)?.tailer.position(stream);
    },
    expect(count) {
      // The announced watches go where the next new stream would: the first reader with room.
      let shard = shards.find((s) => s.streams.size < perReader);
      if (!shard) {
        shard = { tailer: makeReader(), streams: new Map() };
        shards.push(shard);
      }
      return shard.tailer.expect?.(count) ?? (() => {});
    },
    async close() {
      shardOf.clear();
      await Promise.all(shards.splice(0).map((shard) => shard.tailer.close()));
    },
  };
}
