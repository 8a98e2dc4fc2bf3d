import type { Redis } from "ioredis";
import { keySlot } from "./slot.ts";

/**
 * The sharded pub/sub subscription of one process on one cluster node: one connection,
 * subscribed (`SSUBSCRIBE`) to the channels of the watched streams that node serves.
 * `add` and `remove` change what it should be subscribed to; it converges on that
 * whenever the connection is up, and after each (re)connection subscribes to everything
 * again (a connection's subscriptions die with it). `onSubscribed` is told of each
 * channel once its subscription is in place (at once for one added while still in
 * place), and so of every message published on it from then on: the moment to read
 * what was appended before.
 */
export interface ShardFeed {
  add(channel: string): void;
  remove(channel: string): void;
  /** Channels it should be subscribed to. */
  readonly size: number;
  close(): void;
}

export interface ShardFeedHooks {
  onMessage(channel: string, message: string): void;
  onSubscribed(channels: readonly string[]): void;
  /** The node answered MOVED: the slot map is stale (its subscription is retried after the command timeout). */
  onMoved(): void;
  onError(error: unknown): void;
}

/** A {@link ShardFeed} on `connection` (made by `connectClusterNode`: no automatic resubscription). */
export function createShardFeed(connection: Redis, hooks: ShardFeedHooks): ShardFeed {
  const desired = new Set<string>();
  const active = new Set<string>();
  /** Channels whose subscription may not be what it should: looked at by the next pass. */
  const dirty = new Set<string>();
  let syncing = false;
  let closed = false;
  let failures = 0;

  const sync = async () => {
    if (syncing) return; // the running pass looks again when its commands are answered
    syncing = true;
    try {
      while (!closed && connection.status === "ready" && dirty.size > 0) {
        const add: string[] = [];
        const drop: string[] = [];
        for (const channel of dirty) {
          if (desired.has(channel) && !active.has(channel)) add.push(channel);
          else if (!desired.has(channel) && active.has(channel)) drop.push(channel);
        }
        dirty.clear();
        try {
          // One command per slot (a command's channels must share one), all sent at once.
          await Promise.all([
            ...bySlot(drop).map(async (group) => {
              await connection.sunsubscribe(...group);
              for (const channel of group) active.delete(channel);
            }),
            ...bySlot(add).map(async (group) => {
              await connection.ssubscribe(...group);
              for (const channel of group) active.add(channel);
              hooks.onSubscribed(group);
            }),
          ]);
          failures = 0;
        } catch (error) {
          if (closed) break;
          for (const channel of [...add, ...drop]) dirty.add(channel);
          hooks.onError(error);
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** failures++)));
        }
      }
    } finally {
      syncing = false;
    }
  };

  connection.on("smessage", (channel: string, message: string) => hooks.onMessage(channel, message));
  // A new connection holds no subscription: all of them again, each followed by a read.
  connection.on("ready", () => {
    active.clear();
    for (const channel of desired) dirty.add(channel);
    void sync();
  });
  connection.on("close", () => active.clear());
  connection.on("moved", () => hooks.onMoved());
  // A reply ioredis cannot match to a command (the server dropped a subscription by itself,
  // e.g. its slot moved away): start over on a fresh connection rather than trust the state.
  connection.on("error", (error: Error) => {
    if (/Command queue state error/.test(error.message)) connection.disconnect(true);
  });

  return {
    add(channel) {
      desired.add(channel);
      // Still subscribed (dropped and wanted again before the next pass): nothing to
      // send, but what was published in between reached no watch. Read it.
      if (active.has(channel)) queueMicrotask(() => hooks.onSubscribed([channel]));
      dirty.add(channel);
      void sync();
    },
    remove(channel) {
      desired.delete(channel);
      dirty.add(channel);
      void sync();
    },
    get size() {
      return desired.size;
    },
    close() {
      closed = true;
      desired.clear();
      connection.disconnect();
    },
  };
}

function bySlot(channels: readonly string[]): string[][] {
  const groups = new Map<number, string[]>();
  for (const channel of channels) {
    const slot = keySlot(channel);
    const group = groups.get(slot);
    if (group) group.push(channel);
    else groups.set(slot, [channel]);
  }
  return [...groups.values()];
}
