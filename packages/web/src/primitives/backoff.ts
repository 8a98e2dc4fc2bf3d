/** The first reconnect delay after a connection error; it doubles per failure in a row. */
export const BACKOFF_BASE_MS = 1000;
/** The longest reconnect delay. */
export const BACKOFF_CAP_MS = 30_000;
/**
 * How long failures in a row may last before the status says "offline" instead of
 * "reconnecting": a blip reconnects within a try or two (1 s, 2 s, 4 s), an outage does not.
 */
export const OFFLINE_AFTER_MS = 10_000;

/**
 * The delay before try `failures + 1`: the back-off `base * 2^failures`, capped, drawn
 * from its upper half (equal jitter), so the tabs a restart disconnected do not all come
 * back at once, and no try comes sooner than half the back-off.
 * @param random 0 <= x < 1
 */
export function backoffDelay(
  failures: number,
  random: () => number = Math.random,
  baseMs = BACKOFF_BASE_MS,
  capMs = BACKOFF_CAP_MS,
): number {
  const backoff = Math.min(capMs, baseMs * 2 ** Math.min(failures, 30));
  return Math.round(backoff / 2 + (backoff / 2) * random());
}

/** A connection that keeps failing: "reconnecting" at first, "offline" after a while; `retryAt` is the next try (epoch ms). */
export interface RetryStatus {
  readonly status: "reconnecting" | "offline";
  readonly retryAt: number | null;
}

export interface RetryScheduleOptions {
  /** Makes the next try; it reports back with `failed` or `succeeded`. */
  readonly retry: () => void;
  /** How the failing connection stands: on each failure, when it escalates to offline, when the browser goes offline. */
  readonly status: (status: RetryStatus) => void;
  /** The browser went offline while nothing was failing: drop the connection (it will fail anyway). */
  readonly lost?: () => void;
  readonly random?: () => number;
  readonly baseMs?: number;
  readonly capMs?: number;
  readonly offlineAfterMs?: number;
  /** Where `online` and `offline` are heard, and whose `navigator.onLine` is read. */
  readonly window?: Pick<Window, "addEventListener" | "removeEventListener"> & { readonly navigator?: { readonly onLine?: boolean } };
}

/** When the next try of a failing connection comes; reactive-free. */
export interface RetrySchedule {
  /** A try failed (a connection error, not a planned close): the next comes after the back-off. */
  failed(): void;
  /** A try worked: the back-off starts again from its base. */
  succeeded(): void;
  /** Whether failures are being retried now. */
  failing(): boolean;
  /** Tries at once instead of at the scheduled time (Retry now); nothing while nothing failed. */
  now(): void;
  /** Stops every timer and listener; nothing is called after it. */
  dispose(): void;
}

/**
 * Exponential back-off with jitter for one connection (an EventSource, or the idle
 * check's requests), and what the status pill should say about it: "reconnecting" for
 * the first `offlineAfterMs` of failures, then "offline" with the next try's time. The
 * browser's `offline` event says offline at once; its `online` event tries at once.
 */
export function makeRetrySchedule(options: RetryScheduleOptions): RetrySchedule {
  const { retry, status, lost, random = Math.random, baseMs, capMs, offlineAfterMs = OFFLINE_AFTER_MS } = options;
  const win = options.window ?? (typeof window === "undefined" ? undefined : window);
  let failures = 0;
  let since: number | null = null; // when the failures in a row began
  let retryAt: number | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let escalation: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  const browserOffline = () => win?.navigator?.onLine === false;
  const report = () => {
    if (since === null || disposed) return;
    const offline = browserOffline() || Date.now() - since >= offlineAfterMs;
    status({ status: offline ? "offline" : "reconnecting", retryAt });
  };
  const clear = () => {
    clearTimeout(timer);
    clearTimeout(escalation);
    timer = escalation = undefined;
  };
  const attempt = () => {
    clear();
    retryAt = null;
    report(); // the try is under way: no countdown
    retry();
  };

  const schedule: RetrySchedule = {
    failed() {
      if (disposed) return;
      clear();
      since ??= Date.now();
      const delay = backoffDelay(failures++, random, baseMs, capMs);
      retryAt = Date.now() + delay;
      timer = setTimeout(attempt, delay);
      const untilOffline = since + offlineAfterMs - Date.now();
      if (untilOffline > 0 && untilOffline < delay) escalation = setTimeout(report, untilOffline);
      report();
    },
    succeeded() {
      clear();
      failures = 0;
      since = null;
      retryAt = null;
    },
    failing: () => since !== null,
    now() {
      if (since !== null && !disposed) attempt();
    },
    dispose() {
      disposed = true;
      clear();
      win?.removeEventListener("online", onOnline);
      win?.removeEventListener("offline", onOffline);
    },
  };

  const onOnline = () => schedule.now();
  const onOffline = () => {
    if (since !== null) return report();
    lost?.();
    schedule.failed();
  };
  win?.addEventListener("online", onOnline);
  win?.addEventListener("offline", onOffline);
  return schedule;
}
