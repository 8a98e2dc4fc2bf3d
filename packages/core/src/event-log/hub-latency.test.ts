import { describe, expect, it } from "vitest";
import type { LoggedEvent, TailItem, ThreadListener } from "./event-log.ts";
import { ThreadHubs } from "./hub.ts";

const event = (seq: number): LoggedEvent => ({
  cursor: `e1:${seq}-0`,
  event: { id: `x${seq}`, threadId: "t", at: 0, type: "message.delta", runId: "r", messageId: "m", seq, text: "x" },
});

/** A source whose one tail yields what the test pushes. */
function source() {
  const queue: TailItem[] = [];
  let wake: (() => void) | null = null;
  return {
    push(item: TailItem) {
      queue.push(item);
      wake?.();
    },
    read: async () => ({ kind: "events" as const, events: [], more: false }),
    async *tail(_threadId: string, _after: string, signal: AbortSignal): AsyncIterable<TailItem> {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next) yield next;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

describe("the start of delivery latency", () => {
  it("is this process's own commit when it appended the batch, else the feed's receipt; a late commit leaves nothing behind", async () => {
    const src = source();
    const hubs = new ThreadHubs(src);
    const received: number[] = [];
    const listener: ThreadListener = { events: (_events, at) => received.push(at as number), reset() {}, end() {} };
    const unsubscribe = hubs.subscribe("t", "e1:0-0", listener);
    const committedAt = performance.now() - 40;
    hubs.committed("t", event(1).cursor, committedAt);
    src.push({ kind: "events", events: [event(1)] });
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]).toBe(committedAt);

    // Appended elsewhere: timed from the receipt.
    const before = performance.now();
    src.push({ kind: "events", events: [event(2)] });
    await expect.poll(() => received.length).toBe(2);
    expect(received[1]).toBeGreaterThanOrEqual(before);

    // The reader beat the append's reply: the late commit is dropped, not kept for a later batch.
    hubs.committed("t", event(2).cursor, performance.now() - 1000);
    const third = performance.now();
    src.push({ kind: "events", events: [event(3)] });
    await expect.poll(() => received.length).toBe(3);
    expect(received[2]).toBeGreaterThanOrEqual(third);
    unsubscribe();
  });
});
