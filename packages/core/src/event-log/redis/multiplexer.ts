/** A stream entry as Redis returns it: id and a flat list of field, value. */
export type RawEntry = [id: string, fields: string[]];

/**
 * Watches Redis streams for new entries on behalf of many tails at once, so a process
 * holds one reader, not one per subscriber. `watch` calls `onEntries` with the entries
 * appended to `stream` after `fromId` (or after the newest id the reader already
 * delivered for that stream, if it watches it already), in order, until unwatched.
 * Listeners must check continuity themselves (see the `p` field in scripts.ts).
 */
export interface StreamTailer {
  watch(stream: string, fromId: string, onEntries: (entries: readonly RawEntry[]) => void): () => void;
  /**
   * The id after which the reader delivers `stream`'s next entries, while it is watched.
   * A watcher that joins a watch already past its own `fromId` misses what lies between.
   */
  position(stream: string): string | undefined;
  /**
   * Announces `count` watches about to be made (a stream's thread, list and signals, each
   * after a read of its own): the reader holds its next read until they have all joined,
   * so that one blocking read names them all and no read has to be ended early to add
   * one. Returns a release for what is left of the hold (call it when the stream ends
   * first). A hold lapses by itself after {@link HOLD_MAX_MS}, so a miscount costs at
   * most one early end of a read, never a lost entry: entries are read from each watch's
   * `fromId` whenever the read comes.
   */
  expect?(count: number): () => void;
  close(): Promise<void>;
}

/** Longest a reader is held for announced watches (see {@link StreamTailer.expect}). */
export const HOLD_MAX_MS = 1000;

/** How a multiplexer reads: one call covers every watched stream. */
export interface TailDriver {
  /**
   * New entries of the streams after the given ids, or null when there are none. A
   * blocking driver waits up to its block time; a polling driver answers at once.
   */
  read(streams: readonly (readonly [key: string, id: string])[]): Promise<[string, RawEntry[]][] | null>;
  /**
   * A watch was added: end a pending blocking read early, so the new stream is read at
   * once. (A dropped watch needs nothing: the pending read names one stream too many,
   * whose entries nobody takes, until it ends.)
   */
  interrupt(): Promise<void>;
  /** Nothing is watched any more: a pending read serves nobody (optional). */
  idle?(): void;
  /** Milliseconds to wait after `emptyReads` reads in a row found nothing (0: none). */
  pauseAfter(emptyReads: number): number;
  close(): Promise<void>;
}

interface Watch {
  lastId: string;
  readonly listeners: Set<(entries: readonly RawEntry[]) => void>;
}

/**
 * The one reader loop of a process. Errors (Redis unreachable) are reported to
 * `onError` and retried with backoff up to 1 s; watches stay in place and resume from
 * the last delivered id, so nothing is skipped once Redis answers again.
 */
export function createStreamMultiplexer(driver: TailDriver, onError: (error: unknown) => void = () => {}): StreamTailer {
  const watches = new Map<string, Watch>();
  /** Announced watches not yet made (see `expect`), oldest first; a join counts against the oldest. */
  let holds: { left: number; readonly until: number }[] = [];
  const holding = () => {
    holds = holds.filter((hold) => hold.left > 0 && Date.now() < hold.until);
    return holds.length > 0 ? Math.max(...holds.map((hold) => hold.until)) - Date.now() : 0;
  };
  let closed = false;
  let running = false;
  let wakeIdle: (() => void) | null = null;
  let wakePause: (() => void) | null = null;

  const loop = async () => {
    let emptyReads = 0;
    let failures = 0;
    while (!closed) {
      if (watches.size === 0) {
        await new Promise<void>((resolve) => {
          wakeIdle = resolve;
        });
        continue;
      }
      const held = holding();
      if (held > 0) {
        await pause(held);
        continue;
      }
      const streams = [...watches].map(([key, watch]) => [key, watch.lastId] as const);
      let result: [string, RawEntry[]][] | null;
      try {
        result = await driver.read(streams);
        failures = 0;
      } catch (error) {
        if (closed) break;
        onError(error);
        await pause(Math.min(1000, 50 * 2 ** failures++));
        continue;
      }
      if (!result || result.length === 0) {
        const wait = driver.pauseAfter(++emptyReads);
        if (wait > 0) await pause(wait);
        continue;
      }
      emptyReads = 0;
      for (const [key, entries] of result) {
        const watch = watches.get(key);
        const last = entries.at(-1);
        if (!watch || !last) continue;
        watch.lastId = last[0];
        for (const listener of watch.listeners) listener(entries);
      }
    }
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakePause = null;
        resolve();
      }
      wakePause = done;
    });

  const wake = () => {
    wakeIdle?.();
    wakeIdle = null;
    wakePause?.();
  };

  return {
    watch(stream, fromId, onEntries) {
      if (closed) return () => {};
      let watch = watches.get(stream);
      const isNew = !watch;
      if (!watch) {
        watch = { lastId: fromId, listeners: new Set() };
        watches.set(stream, watch);
      }
      watch.listeners.add(onEntries);
      const hold = holds.find((h) => h.left > 0);
      if (hold) hold.left--;
      if (!running) {
        running = true;
        void loop();
      }
      if (isNew) void driver.interrupt().catch(() => {});
      if (isNew || hold?.left === 0) wake();
      return () => {
        const current = watches.get(stream);
        if (!current?.listeners.delete(onEntries) || current.listeners.size > 0) return;
        watches.delete(stream);
        if (watches.size === 0) driver.idle?.();
      };
    },
    position(stream) {
      return watches.get(stream)?.lastId;
    },
    expect(count) {
      const hold = { left: Math.max(0, Math.floor(count)), until: Date.now() + HOLD_MAX_MS };
      holds.push(hold);
      return () => {
        if (hold.left === 0) return;
        hold.left = 0;
        wake();
      };
    },
    async close() {
      closed = true;
      watches.clear();
      wake();
      await driver.close();
    },
  };
}
