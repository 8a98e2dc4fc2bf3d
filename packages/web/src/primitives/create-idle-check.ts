import { onCleanup } from "solid-js";
import { makeRetrySchedule, type RetryScheduleOptions, type RetryStatus } from "./backoff.ts";

export interface IdleCheckOptions extends Pick<RetryScheduleOptions, "random" | "baseMs" | "capMs" | "offlineAfterMs"> {
  /** How the checks stand while they fail (null again once one works). */
  readonly onStatus?: (status: RetryStatus | null) => void;
  readonly document?: Document;
  readonly window?: RetryScheduleOptions["window"] & Pick<Window, "addEventListener" | "removeEventListener">;
}

/** A running idle check. */
export interface IdleCheck {
  /** Checks at once (Retry now). */
  now(): void;
  /** Stops it: no check, timer or listener after this. */
  stop(): void;
}

/**
 * Runs `check` every `intervalMs` while the page is visible, and at once when the window
 * gains focus or the page becomes visible; reactive-free. A hidden page checks nothing
 * (the first thing it does when shown is check). On-demand tabs hold no stream while
 * idle and learn of changes this way, one cheap request at a time. A check whose promise
 * resolves to false could not reach the server: the next one comes after the back-off
 * (1 s, 2 s, 4 s… 30 s, with jitter, as a stream's reconnects), not the interval, and
 * `onStatus` says reconnecting, then offline, until one works. One check at a time.
 */
export function makeIdleCheck(intervalMs: number, check: () => Promise<boolean> | undefined, options: IdleCheckOptions = {}): IdleCheck {
  const { onStatus, document: doc = document, window: win = window } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending = false;
  let stopped = false;
  const hidden = () => doc.visibilityState === "hidden";
  const schedule = () => {
    clearTimeout(timer);
    timer = hidden() || retries.failing() ? undefined : setTimeout(run, intervalMs);
  };
  const run = () => {
    clearTimeout(timer);
    timer = undefined;
    if (hidden() || pending) return; // shown again, or the answer in flight, runs what comes next
    const result = check();
    if (!result) return schedule();
    pending = true;
    void result.then(
      (ok) => settle(ok),
      () => settle(false),
    );
  };
  const settle = (ok: boolean) => {
    pending = false;
    if (stopped) return;
    if (!ok) return retries.failed();
    if (retries.failing()) {
      retries.succeeded();
      onStatus?.(null);
    }
    schedule();
  };
  const retries = makeRetrySchedule({
    ...options,
    window: win,
    retry: run,
    status: (s) => {
      clearTimeout(timer); // failing: the back-off, not the interval, says when the next check comes
      timer = undefined;
      onStatus?.(s);
    },
  });
  const onVisibility = () => (hidden() ? schedule() : run());
  doc.addEventListener("visibilitychange", onVisibility);
  win.addEventListener("focus", run);
  schedule();
  return {
    now: run,
    stop() {
      stopped = true;
      clearTimeout(timer);
      retries.dispose();
      doc.removeEventListener("visibilitychange", onVisibility);
      win.removeEventListener("focus", run);
    },
  };
}

/** {@link makeIdleCheck} for the owner's lifetime. */
export function createIdleCheck(intervalMs: number, check: () => Promise<boolean> | undefined, options?: IdleCheckOptions): IdleCheck {
  const idle = makeIdleCheck(intervalMs, check, options);
  onCleanup(idle.stop);
  return idle;
}
