import { functionUrlEvent, lambdaContext } from "../../src/lambda/testing/function-url.ts";
import { invokeStreaming } from "../../src/lambda/testing/streaming-runtime.ts";
import { type MemorySample, memory, SAMPLE_MS, trackPeak } from "./probe-memory.ts";

/** What one held stream cost the Stream bundle's process, and what it sent. */
export interface HeldStream {
  /** Right after the snapshot arrived: the stream is open and idle. */
  readonly atOpen: MemorySample;
  /** The highest of each figure over the hold (sampled every {@link SAMPLE_MS} ms). */
  readonly peak: MemorySample;
  readonly atEnd: MemorySample;
  /** After a full GC at the end (Lambda runs node with --expose-gc too): what the process keeps, garbage aside. */
  readonly afterGc: MemorySample | null;
  readonly heldMs: number;
  readonly writes: number;
  readonly bytesWritten: number;
  /** The body as sent (the parent parses it: no parser in the measured process). */
  readonly body: string;
}

/**
 * Holds one SSE stream through the streaming-runtime emulation until the stream's
 * planned close: the context says `2 × holdMs` remain, so the handler closes after
 * `holdMs` (half of it, see `streamBudget`). Tells the parent `{op: "open"}` once the
 * snapshot is in, so it can send a message and webhooks while the stream is held.
 * The emulation keeps every byte written (its Runtime API side too): counted here, so
 * the figures are on the high side.
 */
export async function holdStream(handler: unknown, args: Record<string, unknown>): Promise<HeldStream> {
  const holdMs = Number(args.holdMs);
  const event = functionUrlEvent({
    path: `/api/chats/sse/${args.threadId}`,
    headers: { "x-murmur-token": String(args.token), accept: "text/event-stream" },
  });
  const tracker = trackPeak();
  try {
    const invocation = invokeStreaming(handler, event, lambdaContext("Stream", 2 * holdMs));
    const deadline = Date.now() + 10_000;
    while (!invocation.text().includes("event: snapshot")) {
      if (Date.now() > deadline) throw new Error(`no snapshot within 10 s: ${invocation.text().slice(0, 200)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const atOpen = memory();
    process.send?.({ op: "open" });
    const response = await invocation.done;
    const peak = tracker.stop();
    const atEnd = memory();
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    return {
      atOpen,
      peak,
      atEnd,
      afterGc: gc ? memory() : null,
      heldMs: response.endedAtMs,
      writes: response.writes.length,
      bytesWritten: response.writes.reduce((sum, w) => sum + w.bytes.length, 0),
      body: response.body,
    };
  } finally {
    tracker.stop();
  }
}
