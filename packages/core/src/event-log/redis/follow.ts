import { createWakeup } from "../wakeup.ts";
import { compareIds, isContiguous } from "./entries.ts";
import type { RawEntry, StreamTailer } from "./multiplexer.ts";

/** What a catch-up from the store gave: items to yield, the stream id they reach, and whether to go on. */
export interface CatchUp<T> {
  readonly items: readonly T[];
  /** The stream id the items bring the follower to. */
  readonly position: string;
  /** True: more is already in the store, read again before following. */
  readonly more?: boolean;
  /** True: the items end the follow (e.g. a reset). */
  readonly final?: boolean;
  /** True: a later catch-up supersedes these items whole (a full list), so stale ones need not be yielded. */
  readonly whole?: boolean;
}

/** One Redis stream to follow through the process's shared reader. */
export interface FollowSource<T> {
  /** The stream's key. */
  readonly key: string;
  readonly tailer: StreamTailer;
  /** Reads what the store holds after `position` (a stream id), without the shared reader. */
  catchUp(position: string): Promise<CatchUp<T>>;
  /** The items for entries that continue exactly at the follower's position. */
  decode(entries: readonly RawEntry[]): readonly T[];
  /** Registers a callback the log calls when it closes; returns its removal. */
  onClose(wake: () => void): () => void;
  isClosed(): boolean;
}

/**
 * The one loop behind every live read of the Redis engine (a thread's tail, an owner's
 * activity): catch up from the store, join the shared reader, then yield what it
 * delivers. Whenever its entries do not continue exactly at the follower's position
 * (each entry names its predecessor in `p`: the follower joined a reader already past
 * it, or entries were trimmed before the reader got them), it catches up again, so
 * nothing is missed and nothing repeats. Ends when `signal` aborts or the log closes.
 */
export async function* followStream<T>(source: FollowSource<T>, from: string, signal: AbortSignal): AsyncIterable<T> {
  const queue: RawEntry[] = [];
  const { wait, wake } = createWakeup();
  const removeCloseHook = source.onClose(wake);
  signal.addEventListener("abort", wake, { once: true });
  let unwatch: (() => void) | null = null;
  let position = from;
  let catchUp = true;
  try {
    while (!signal.aborted && !source.isClosed()) {
      if (catchUp) {
        const read = await source.catchUp(position);
        position = read.position;
        if (!read.final && !read.more) {
          catchUp = false;
          // Join the shared reader before yielding, so nothing it delivers meanwhile is missed.
          if (!unwatch) {
            unwatch = source.tailer.watch(source.key, position, (entries) => {
              queue.push(...entries);
              wake();
            });
            // Joined a reader already past us: what it delivered in between reached others only.
            catchUp = compareIds(source.tailer.position(source.key) ?? position, position) > 0;
            if (catchUp && read.whole) continue;
          }
        }
        for (const item of read.items) yield item;
        if (read.final) return;
        continue;
      }
      if (queue.length === 0) {
        await wait();
        continue;
      }
      const fresh = queue.splice(0).filter((entry) => compareIds(entry[0], position) > 0);
      if (fresh.length === 0) continue;
      if (!isContiguous(position, fresh)) {
        catchUp = true;
        continue;
      }
      position = (fresh.at(-1) as RawEntry)[0];
      for (const item of source.decode(fresh)) yield item;
    }
  } finally {
    unwatch?.();
    removeCloseHook();
    signal.removeEventListener("abort", wake);
  }
}
