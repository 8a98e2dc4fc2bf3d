import { createRoot, createSignal } from "solid-js";
import { describe, expect, it } from "vitest";
import { createReveal, type FrameClock } from "./create-reveal.ts";

/** Animation frames every 16 ms of a clock the test moves. */
function frames(): FrameClock & { run(ms: number): void; pending(): number } {
  let now = 0;
  let next = 1;
  const queue = new Map<number, (t: number) => void>();
  return {
    now: () => now,
    frame: (callback) => {
      queue.set(next, callback);
      return next++;
    },
    cancel: (handle) => queue.delete(handle),
    run(ms) {
      for (const end = now + ms; now + 16 <= end; ) {
        now += 16;
        const due = [...queue.values()];
        queue.clear();
        for (const callback of due) callback(now);
      }
    },
    pending: () => queue.size,
  };
}

function setup(initial: string, streaming: boolean) {
  const clock = frames();
  return createRoot((dispose) => {
    const [text, setText] = createSignal(initial);
    const [live, setLive] = createSignal(streaming);
    const reveal = createReveal(text, live, clock);
    return { ...reveal, clock, setText, setLive, dispose };
  });
}

describe("createReveal", () => {
  it("shows a completed text, or what a streaming one already held, at once", () => {
    expect(setup("done and dusted", false).text()).toBe("done and dusted");
    const half = setup("half way", true);
    expect(half.text()).toBe("half way");
    expect(half.revealing()).toBe(false);
  });

  it("reveals batches 300 ms apart a little per frame, never a whole batch in one", () => {
    const r = setup("", true);
    const batch = "x".repeat(60);
    let text = "";
    let biggest = 0;
    let previous = 0;
    for (let i = 0; i < 8; i++) {
      text += batch;
      r.setText(text);
      for (let f = 0; f < 300 / 16; f++) {
        r.clock.run(16);
        biggest = Math.max(biggest, r.text().length - previous);
        previous = r.text().length;
      }
    }
    expect(r.text().length).toBeGreaterThan(0);
    expect(biggest).toBeLessThanOrEqual(batch.length / 4);
    // It keeps up: at most about one batch behind.
    expect(text.length - r.text().length).toBeLessThanOrEqual(batch.length * 1.5);
  });

  it("shows the first character on the next frame, and catches up soon after the text is whole", () => {
    const r = setup("", true);
    r.setText("Hello there, this is the first batch");
    expect(r.text()).toBe("");
    expect(r.revealing()).toBe(true);
    r.clock.run(16);
    expect(r.text().length).toBeGreaterThanOrEqual(1);
    r.setLive(false);
    r.clock.run(300);
    expect(r.text()).toBe("Hello there, this is the first batch");
    expect(r.revealing()).toBe(false);
    expect(r.clock.pending()).toBe(0);
  });

  it("shows a replaced text (not an extension) at once", () => {
    const r = setup("abc", true);
    r.setText("abcdef");
    r.setText("xyz");
    expect(r.text()).toBe("xyz");
    expect(r.revealing()).toBe(false);
  });

  it("stops asking for frames when its owner is disposed", () => {
    const r = setup("", true);
    r.setText("some text to reveal");
    expect(r.clock.pending()).toBe(1);
    r.dispose();
    expect(r.clock.pending()).toBe(0);
  });
});
