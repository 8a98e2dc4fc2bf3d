/**
 * One timer for many streams: a wheel that fires each registered callback at or after
 * its time, checked every `resolutionMs`. A process holding 10,000 streams keeps one
 * interval, not 20,000 timers (a heartbeat and a planned close each), and the interval
 * runs only while something is registered.
 */
export interface Ticker {
  /**
   * Calls `target.tick()` at the first check at or after `at` (epoch ms); returns a
   * handle for {@link Ticker.cancel}. A target is an object, not a closure: a held
   * stream passes itself, so a connection costs no function objects for its timers.
   */
  at(at: number, target: Tickable): TickHandle;
  /** Cancels a pending tick; idempotent. */
  cancel(handle: TickHandle): void;
  readonly resolutionMs: number;
}

/** What a ticker calls. */
export interface Tickable {
  tick(): void;
}

/** A pending tick (opaque). */
export type TickHandle = { readonly slot: number; readonly target: Tickable } | null;

const tickers = new Map<number, Ticker>();

/** The process's ticker of this resolution (one per resolution, made on first use). */
export function sharedTicker(resolutionMs: number): Ticker {
  let ticker = tickers.get(resolutionMs);
  if (!ticker) {
    ticker = createTicker(resolutionMs);
    tickers.set(resolutionMs, ticker);
  }
  return ticker;
}

export function createTicker(resolutionMs: number): Ticker {
  /** Slot (time / resolution, rounded up) -> targets due in it. */
  const slots = new Map<number, Set<Tickable>>();
  let timer: ReturnType<typeof setInterval> | null = null;
  let size = 0;
  let checked = Math.floor(Date.now() / resolutionMs);

  const check = () => {
    const now = Math.floor(Date.now() / resolutionMs);
    for (let slot = checked; slot <= now; slot++) {
      const due = slots.get(slot);
      if (!due) continue;
      slots.delete(slot);
      size -= due.size;
      const targets = [...due];
      due.clear(); // a cancel after this finds nothing to remove
      for (const target of targets) target.tick();
    }
    checked = now + 1;
    if (size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };

  return {
    resolutionMs,
    at(at, target) {
      if (!timer) {
        checked = Math.floor(Date.now() / resolutionMs);
        timer = setInterval(check, resolutionMs);
        (timer as { unref?: () => void }).unref?.();
      }
      const slot = Math.max(checked, Math.ceil(at / resolutionMs));
      let set = slots.get(slot);
      if (!set) {
        set = new Set();
        slots.set(slot, set);
      }
      if (!set.has(target)) {
        set.add(target);
        size++;
      }
      return { slot, target };
    },
    cancel(handle) {
      if (handle && slots.get(handle.slot)?.delete(handle.target)) size--;
    },
  };
}
