import { onCleanup } from "solid-js";

/**
 * Runs `check` every `intervalMs` while the page is visible, and at once when the window
 * gains focus or the page becomes visible; reactive-free. A hidden page checks nothing
 * (the first thing it does when shown is check). On-demand tabs hold no stream while
 * idle and learn of changes this way, one cheap request at a time.
 * @returns a function that stops it.
 */
export function makeIdleCheck(
  intervalMs: number,
  check: () => void,
  doc: Document = document,
  win: Pick<Window, "addEventListener" | "removeEventListener"> = window,
): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = doc.visibilityState === "hidden" ? undefined : setTimeout(run, intervalMs);
  };
  const run = () => {
    schedule();
    check();
  };
  const onVisibility = () => (doc.visibilityState === "hidden" ? schedule() : run());
  doc.addEventListener("visibilitychange", onVisibility);
  win.addEventListener("focus", run);
  schedule();
  return () => {
    clearTimeout(timer);
    doc.removeEventListener("visibilitychange", onVisibility);
    win.removeEventListener("focus", run);
  };
}

/** {@link makeIdleCheck} for the owner's lifetime. */
export function createIdleCheck(intervalMs: number, check: () => void): void {
  onCleanup(makeIdleCheck(intervalMs, check));
}
