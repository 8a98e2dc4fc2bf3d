/** The part of `navigator.locks` (Web Locks) used here; tests pass a fake. */
export interface LocksLike {
  request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}

/**
 * Takes the Web Lock `name` as soon as no other tab of the origin holds it, and keeps it
 * until the returned function is called or the page goes away (the browser then frees
 * it for the next tab in line at once); reactive-free. `onHeld` runs once, when granted.
 * Calling the returned function before that stops waiting: `onHeld` never runs. When
 * the browser refuses the request (not for being stopped), `onRefused` runs instead.
 */
export function makeLock(locks: LocksLike, name: string, onHeld: () => void, onRefused?: () => void): () => void {
  const abort = new AbortController();
  let letGo = () => {};
  const held = new Promise<void>((resolve) => {
    letGo = resolve;
  });
  locks
    .request(name, { signal: abort.signal }, async () => {
      if (abort.signal.aborted) return;
      onHeld();
      await held;
    })
    .catch(() => {
      if (!abort.signal.aborted) onRefused?.();
    });
  return () => {
    abort.abort();
    letGo();
  };
}
