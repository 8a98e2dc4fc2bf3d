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
  close(): Promise<void>;
}

/** How a multiplexer reads: one call covers every watched stream. */
export interface TailDriver {
  /**
   * New entries of the streams after the given ids, or null when there are none. A
   * blocking driver waits up to its block time; a polling driver answers at once.
   */
  read(streams: readonly (readonly [key: string, id: string])[]): Promise<[string, RawEntry[]][] | null>;
  /** Ends a pending blocking read early, so a new watch is read at once. */
  interrupt(): Promise<void>;
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
export function createStreamMultiplexer(
  driver: TailDriver,
  onError: (error: unknown) => void = () => {},
  /**
   * After a watch is added or dropped, wait this long for more before the next read (0:
   * read at once). A function that serves one stream per invocation watches its few
   * streams within milliseconds of each other: settling lets one read name them all,
   * rather than a read, an interrupt and a read again for each (every command billed).
   */
  settleMs = 0,
): StreamTailer {
  const watches = new Map<string, Watch>();
  let settleUntil = 0;
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
      if (Date.now() < settleUntil) {
        await pause(settleUntil - Date.now());
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

  const changed = () => {
    settleUntil = settleMs > 0 ? Date.now() + settleMs : 0;
    wakeIdle?.();
    wakeIdle = null;
    wakePause?.();
    // With nothing left to watch the pending read serves nobody: the next watch interrupts it.
    if (watches.size > 0) void driver.interrupt().catch(() => {});
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
      if (!running) {
        running = true;
        void loop();
      }
      if (isNew) changed();
      return () => {
        const current = watches.get(stream);
        if (!current?.listeners.delete(onEntries) || current.listeners.size > 0) return;
        watches.delete(stream);
        changed();
      };
    },
    position(stream) {
      return watches.get(stream)?.lastId;
    },
    async close() {
      closed = true;
      watches.clear();
      wakeIdle?.();
      wakePause?.();
      await driver.close();
    },
  };
}
