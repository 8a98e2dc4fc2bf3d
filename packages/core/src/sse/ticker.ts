/**
 * One timer for many streams: a wheel that fires each registered callback at or after
 * its time, checked every `resolutionMs`. A process holding 10,000 streams keeps one
 * interval, not 20,000 timers (a heartbeat and a planned close each), and the interval
 * runs only while something is registered.
 */
export interface Ticker {
  /** Calls `callback` at the first check at or after `at` (epoch ms); returns its cancel. */
  at(at: number, callback: () => void): () => void;
  readonly resolutionMs: number;
}

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
  /** Slot (time / resolution, rounded up) -> callbacks due in it. */
  const slots = new Map<number, Set<() => void>>();
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
      const callbacks = [...due];
      due.clear(); // a cancel after this finds nothing to remove
      for (const callback of callbacks) callback();
    }
    checked = now + 1;
    if (size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };

  return {
    resolutionMs,
    at(at, callback) {
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
      set.add(callback);
      size++;
      const bucket = set;
      return () => {
        if (bucket.delete(callback)) size--;
      };
    },
  };
}
