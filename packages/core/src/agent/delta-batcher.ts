/**
 * Collects text chunks and hands them on in windows: the first chunk after a flush
 * starts a timer of `windowMs`, and everything that arrives before it fires goes out as
 * one batch. The very first batch waits only `firstWindowMs` (when shorter), so a long
 * window (fewer, cheaper appends) does not delay the first words on screen. `flush`
 * sends what is pending at once. Batches go out one at a time, in order; `drain`
 * resolves when all have been sent and rejects with the first failure.
 */
export interface DeltaBatcher {
  push(text: string): void;
  flush(): void;
  drain(): Promise<void>;
}

export function createDeltaBatcher(windowMs: number, send: (text: string) => Promise<void>, firstWindowMs = windowMs): DeltaBatcher {
  let pending = "";
  let sentAny = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!pending) return;
    const text = pending;
    pending = "";
    chain = chain
      .then(() => (failure ? undefined : send(text)))
      .catch((error: unknown) => {
        failure ??= error;
      });
  };

  return {
    push(text) {
      if (!text) return;
      pending += text;
      timer ??= setTimeout(flush, sentAny ? windowMs : Math.min(windowMs, firstWindowMs));
      sentAny = true;
    },
    flush,
    async drain() {
      flush();
      await chain;
      if (failure) throw failure;
    },
  };
}
