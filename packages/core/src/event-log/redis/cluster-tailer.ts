import type { Cluster, Redis } from "ioredis";
import { compareIds, field } from "./entries.ts";
import type { RawEntry, StreamTailer } from "./multiplexer.ts";
import { createShardFeed, type ShardFeed } from "./shard-feed.ts";
import { keySlot } from "./slot.ts";

/**
 * The live reader of a process on a Redis Cluster. The single-node reader's one
 * `XREAD BLOCK` over every watched stream cannot work here: one command may only name
 * keys of one slot (CROSSSLOT otherwise), one connection blocks on one node, and an
 * owner's keys hash to their own slot, so a process with 10,000 live threads of 10,000
 * owners watches about 7,500 of the 16,384 slots: a blocking read per slot would be
 * thousands of connections per process, and polling them costs commands per slot, not per
 * event. Instead the scripts publish what they append (`SPUBLISH` on the stream's own
 * key, in its slot: scripts.ts `publishingScript`), and this reader holds one sharded
 * pub/sub connection per master (`SSUBSCRIBE` per watched stream, several slots on one
 * connection), so:
 * - an append reaches each process that watches its thread in one hop, with its entries,
 *   and costs no command of the process: deliveries cost Redis one `SPUBLISH` inside the
 *   append's script, whatever the number of subscribers, threads or processes;
 * - an idle process sends nothing at all (no block to renew);
 * - a watch costs one `SSUBSCRIBE` and one `XREAD` of that stream (what was appended
 *   before the subscription took), an unwatch one `SUNSUBSCRIBE`.
 * A message is a hint with the data: entries already delivered are dropped, and when a
 * message does not continue at the last delivered entry (a message lost to a dropped
 * connection), the stream is read (`XREAD`, the keys of one slot per command) from there.
 * After a node's connection comes back, every stream it carries is subscribed again and
 * read. Measured against a wake-up that only says "read" (README, "Past one Redis").
 */
export function createClusterTailer(
  cluster: Cluster,
  connectNode: (nodeKey: string) => Redis,
  onError: (error: unknown) => void = () => {},
): StreamTailer {
  const watches = new Map<string, Watch>();
  const feeds = new Map<string, ShardFeed>();
  const toRead = new Set<string>();
  const failures = new Map<string, number>();
  let reading = false;
  let closed = false;

  const deliver = (watch: Watch, entries: readonly RawEntry[]) => {
    const fresh = after(entries, watch.lastId);
    const last = fresh.at(-1);
    if (!last) return;
    watch.lastId = last[0];
    for (const listener of watch.listeners) listener(fresh);
  };

  const onMessage = (channel: string, message: string) => {
    const watch = watches.get(channel);
    if (!watch) return;
    let entries: RawEntry[];
    try {
      entries = JSON.parse(message) as RawEntry[];
    } catch (error) {
      onError(error);
      return requestRead(channel);
    }
    const fresh = after(entries, watch.lastId);
    const first = fresh[0];
    if (!first) return;
    // Not where the last delivery ended: something in between never arrived. Read it.
    if (field(first[1], "p") !== watch.lastId) return requestRead(channel);
    deliver(watch, fresh);
  };

  const requestRead = (stream: string) => {
    if (closed || !watches.has(stream)) return;
    toRead.add(stream);
    if (!reading) void readAll();
  };

  /** Reads every stream asked for, one `XREAD` per slot, until none is left; a failed read is retried with backoff. */
  const readAll = async () => {
    reading = true;
    try {
      while (!closed && toRead.size > 0) {
        const groups = new Map<number, string[]>();
        for (const stream of toRead) {
          const watch = watches.get(stream);
          if (!watch) continue;
          const group = groups.get(watch.slot);
          if (group) group.push(stream);
          else groups.set(watch.slot, [stream]);
        }
        toRead.clear();
        await Promise.all([...groups.values()].map(readGroup));
      }
    } finally {
      reading = false;
    }
  };

  const readGroup = async (streams: readonly string[]) => {
    const ids = streams.map((stream) => watches.get(stream)?.lastId ?? "0-0");
    try {
      const reply = (await cluster.xread("COUNT", READ_COUNT, "STREAMS", ...streams, ...ids)) as [string, RawEntry[]][] | null;
      for (const stream of streams) failures.delete(stream);
      for (const [key, entries] of reply ?? []) {
        const watch = watches.get(key);
        if (!watch) continue;
        deliver(watch, entries);
        if (entries.length >= READ_COUNT) toRead.add(key);
      }
    } catch (error) {
      if (closed) return;
      onError(error);
      for (const stream of streams) {
        const n = failures.get(stream) ?? 0;
        failures.set(stream, n + 1);
        setTimeout(() => requestRead(stream), Math.min(1000, 50 * 2 ** n)).unref?.();
      }
    }
  };

  const feedFor = (node: string) => {
    let feed = feeds.get(node);
    if (!feed) {
      feed = createShardFeed(connectNode(node), {
        onMessage,
        onSubscribed: (channels) => {
          for (const channel of channels) requestRead(channel);
        },
        onMoved: () => cluster.refreshSlotsCache(),
        onError,
      });
      feeds.set(node, feed);
    }
    return feed;
  };

  /** Moves a watch to the feed of the node that serves its slot now (none while the slot map is unknown). */
  const route = (stream: string, watch: Watch) => {
    const node = cluster.slots[watch.slot]?.[0] ?? null;
    if (node === watch.node) return;
    if (watch.node) feeds.get(watch.node)?.remove(stream);
    watch.node = node;
    if (node) feedFor(node).add(stream);
  };
  const reroute = () => {
    for (const [stream, watch] of watches) route(stream, watch);
  };
  cluster.on("refresh", reroute);

  return {
    watch(stream, fromId, onEntries) {
      if (closed) return () => {};
      let watch = watches.get(stream);
      if (!watch) {
        watch = { lastId: fromId, listeners: new Set(), slot: keySlot(stream), node: null };
        watches.set(stream, watch);
        route(stream, watch);
      }
      watch.listeners.add(onEntries);
      return () => {
        const current = watches.get(stream);
        if (!current?.listeners.delete(onEntries) || current.listeners.size > 0) return;
        watches.delete(stream);
        failures.delete(stream);
        if (current.node) feeds.get(current.node)?.remove(stream);
      };
    },
    position(stream) {
      return watches.get(stream)?.lastId;
    },
    async close() {
      closed = true;
      cluster.off("refresh", reroute);
      watches.clear();
      toRead.clear();
      for (const feed of feeds.values()) feed.close();
      feeds.clear();
    },
  };
}

interface Watch {
  /** The id after which entries are delivered next. */
  lastId: string;
  readonly listeners: Set<(entries: readonly RawEntry[]) => void>;
  readonly slot: number;
  /** The node whose feed carries it; null until the slot map names one. */
  node: string | null;
}

/** Most entries one catch-up `XREAD` returns per stream; a stream with more is read again. */
const READ_COUNT = 1000;

/** The entries after `id` (entries are in id order): the array itself when all are. */
function after(entries: readonly RawEntry[], id: string): readonly RawEntry[] {
  let start = 0;
  while (start < entries.length && compareIds((entries[start] as RawEntry)[0], id) <= 0) start++;
  return start === 0 ? entries : entries.slice(start);
}
