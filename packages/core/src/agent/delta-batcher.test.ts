import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDeltaBatcher } from "./delta-batcher.ts";

describe("delta batcher", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("sends what arrives within one window as one batch", async () => {
    const sent: string[] = [];
    const batcher = createDeltaBatcher(50, async (t) => void sent.push(t));
    batcher.push("a");
    await vi.advanceTimersByTimeAsync(20);
    batcher.push("b");
    await vi.advanceTimersByTimeAsync(29);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual(["ab"]);
    batcher.push("c");
    await batcher.drain();
    expect(sent).toEqual(["ab", "c"]);
  });

  it("sends the first batch after the short first window, and later ones after the long window", async () => {
    const sent: string[] = [];
    const batcher = createDeltaBatcher(500, async (t) => void sent.push(t), 50);
    batcher.push("Hel");
    await vi.advanceTimersByTimeAsync(50);
    expect(sent).toEqual(["Hel"]);
    batcher.push("lo ");
    await vi.advanceTimersByTimeAsync(499);
    batcher.push("world");
    expect(sent).toEqual(["Hel"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual(["Hel", "lo world"]);
    await batcher.drain();
  });

  it("keeps batches in order even when a send is slow", async () => {
    const sent: string[] = [];
    const batcher = createDeltaBatcher(10, async (t) => {
      await new Promise((r) => setTimeout(r, t === "first" ? 100 : 1));
      sent.push(t);
    });
    batcher.push("first");
    batcher.flush();
    batcher.push("second");
    batcher.flush();
    const drained = batcher.drain();
    await vi.advanceTimersByTimeAsync(200);
    await drained;
    expect(sent).toEqual(["first", "second"]);
  });

  it("reports the first failed send from drain and sends nothing after it", async () => {
    const sent: string[] = [];
    const batcher = createDeltaBatcher(10, async (t) => {
      if (t === "bad") throw new Error("log down");
      sent.push(t);
    });
    batcher.push("bad");
    batcher.flush();
    batcher.push("after");
    await expect(batcher.drain()).rejects.toThrow("log down");
    expect(sent).toEqual([]);
  });
});
