import { type Accessor, createComputed, createSignal, on, onCleanup, untrack } from "solid-js";

/** Animation frames and a clock; tests pass fakes. */
export interface FrameClock {
  now(): number;
  frame(callback: (now: number) => void): number;
  cancel(handle: number): void;
}

const browserClock: FrameClock = {
  now: () => performance.now(),
  frame: (callback) => requestAnimationFrame(callback),
  cancel: (handle) => cancelAnimationFrame(handle),
};

/** A first guess at the time between two batches, until two have come. */
const FIRST_INTERVAL_MS = 200;
/** Once the text is whole, what is left shows within this. */
const FINISH_MS = 250;

/** A paced reveal of a growing text. */
export interface Reveal {
  /** The text is now `length` long and only grew; `streaming` false: it is whole. */
  grow(length: number, streaming: boolean): void;
  /** Shows `length` at once (the text was replaced, not extended). */
  jump(length: number): void;
  dispose(): void;
}

/**
 * Reveals a text that arrives in batches at a steady pace; reactive-free. Each batch's
 * unshown part is spread over a little more than the usual time between batches (an
 * average of the last ones), one step per animation frame, so text flows instead of
 * jumping a batch at a time, and rarely runs dry before the next batch. `onShow` gets
 * the length to show; the first frame after a batch shows at least one character.
 */
export function makeReveal(onShow: (length: number) => void, clock: FrameClock = browserClock): Reveal {
  let shown = 0;
  let target = 0;
  let rate = 0; // characters per millisecond
  let interval = FIRST_INTERVAL_MS;
  let lastBatch: number | null = null;
  let lastFrame: number | null = null;
  let handle: number | null = null;

  const step = (now: number) => {
    handle = null;
    // A frame after a long pause (a hidden tab) catches up at once.
    const dt = lastFrame === null ? 16 : now - lastFrame;
    lastFrame = now;
    shown = Math.min(target, shown + Math.max(rate * dt, 0));
    onShow(Math.ceil(shown));
    if (shown < target) handle = clock.frame(step);
    else lastFrame = null;
  };

  return {
    grow(length, streaming) {
      if (length < target) return this.jump(length);
      const now = clock.now();
      if (length > target) {
        if (lastBatch !== null) interval = Math.min(1500, Math.max(16, (interval + (now - lastBatch)) / 2));
        lastBatch = now;
        target = length;
      }
      const backlog = target - shown;
      rate = backlog / (interval * 1.25);
      if (!streaming) rate = Math.max(rate, backlog / FINISH_MS);
      if (backlog > 0 && handle === null) handle = clock.frame(step);
    },
    jump(length) {
      shown = target = length;
      rate = 0;
      lastFrame = null;
      if (handle !== null) clock.cancel(handle);
      handle = null;
      onShow(length);
    },
    dispose() {
      if (handle !== null) clock.cancel(handle);
      handle = null;
    },
  };
}

/**
 * `text` as it should show: while `streaming`, each extension is revealed at a steady
 * pace; what the text already held when this was created shows at once, so a completed
 * message (or a reply opened half-way) shows as it is. `revealing` stays true until the
 * shown text has caught up, even after the text is whole. The reveal ends with the owner.
 */
export function createReveal(
  text: Accessor<string>,
  streaming: Accessor<boolean>,
  clock?: FrameClock,
): { text: Accessor<string>; revealing: Accessor<boolean> } {
  let full = untrack(text);
  const [length, setLength] = createSignal(full.length);
  const reveal = makeReveal(setLength, clock);
  reveal.jump(full.length);
  onCleanup(reveal.dispose);
  createComputed(
    on(
      [text, streaming],
      ([next, live]) => {
        if (next.startsWith(full)) reveal.grow(next.length, live);
        else reveal.jump(next.length);
        full = next;
      },
      { defer: true },
    ),
  );
  return { text: () => text().slice(0, length()), revealing: () => length() < text().length };
}
