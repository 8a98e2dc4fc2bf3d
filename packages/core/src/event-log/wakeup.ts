/**
 * One waiter's wake-up call: `wait` resolves at the next `wake`. A wake with nobody
 * waiting is dropped, so a waiter checks its queue (or state) before it waits.
 */
export interface Wakeup {
  wait(): Promise<void>;
  wake(): void;
}

export function createWakeup(): Wakeup {
  let resolve: (() => void) | null = null;
  return {
    wait: () =>
      new Promise<void>((r) => {
        resolve = r;
      }),
    wake: () => {
      resolve?.();
      resolve = null;
    },
  };
}
