import type { ThreadRecord, ThreadsItem } from "./event-log.ts";
import { compareIds, field, isContiguous, toRecord } from "./redis-entries.ts";
import type { RawEntry, StreamTailer } from "./redis-tailer.ts";
import { createWakeup } from "./wakeup.ts";

/** What a live thread list of one owner reads from. */
export interface ActivitySource {
  /** The owner's activity stream (see redis-keys.ts). */
  readonly key: string;
  readonly tailer: StreamTailer;
  /** The owner's list and the id of the newest activity entry it reflects. */
  list(): Promise<{ threads: ThreadRecord[]; last: string }>;
  /** Registers a callback the log calls when it closes; returns its removal. */
  onClose(wake: () => void): () => void;
  isClosed(): boolean;
}

/**
 * `EventLog.watchThreads` over Redis: the list, then the owner's activity entries after
 * the id the list is current to, through the process's shared reader. Whenever the
 * entries do not continue exactly where the watcher is (it joined a reader already past
 * it, or entries were trimmed before the reader got them), it lists again.
 */
export async function* watchActivity(source: ActivitySource, signal: AbortSignal): AsyncIterable<ThreadsItem> {
  const queue: RawEntry[] = [];
  const { wait, wake: notify } = createWakeup();
  const removeCloseHook = source.onClose(notify);
  signal.addEventListener("abort", notify, { once: true });
  let unwatch: (() => void) | null = null;
  let position = "0-0";
  let relist = true;
  try {
    while (!signal.aborted && !source.isClosed()) {
      if (relist) {
        const { threads, last } = await source.list();
        position = last;
        relist = false;
        if (!unwatch) {
          unwatch = source.tailer.watch(source.key, last, (entries) => {
            queue.push(...entries);
            notify();
          });
          // Joined a reader already past `last`: what it delivered in between never reached us.
          if (compareIds(source.tailer.position(source.key) ?? last, last) > 0) {
            relist = true;
            continue;
          }
        }
        yield { kind: "list", threads };
        continue;
      }
      if (queue.length === 0) {
        await wait();
        continue;
      }
      const fresh = queue.splice(0).filter((entry) => compareIds(entry[0], position) > 0);
      if (fresh.length === 0) continue;
      if (!isContiguous(position, fresh)) {
        relist = true;
        continue;
      }
      position = (fresh.at(-1) as RawEntry)[0];
      for (const [, fields] of fresh) {
        const record = toRecord(field(fields, "t") ?? "", fields);
        if (record) yield { kind: "changed", thread: record };
      }
    }
  } finally {
    unwatch?.();
    removeCloseHook();
    signal.removeEventListener("abort", notify);
  }
}
