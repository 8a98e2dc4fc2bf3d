import { describe, expect, it } from "vitest";
import { createMemoryEventLog } from "../event-log/memory.ts";
import { createIngest } from "../ingest/ingest.ts";
import {
  DELIVERY_LATENCY,
  EVENTS_APPENDED,
  FRAMES_DELIVERED,
  STREAM_RESETS,
  STREAM_RESUMES,
  STREAMS_CLOSED,
  STREAMS_OPEN,
} from "../metrics/definitions.ts";
import { createMetricStore } from "../metrics/store.ts";
import { createSseCollector } from "../testing/sse.ts";
import { openEventStream } from "./event-stream.ts";

async function setup() {
  const metrics = createMetricStore();
  const log = createMemoryEventLog();
  await log.createThread({ id: "t_1", owner: "s", createdAt: 1 });
  const ingest = createIngest(log, { metrics });
  const say = (n: number) =>
    ingest("t_1", [{ id: `msg:${n}`, threadId: "t_1", at: 1, type: "message.created", messageId: `m${n}`, role: "user", text: `hi ${n}` }]);
  const open = (after: string | null, padToBytes = 0) => {
    const reader = openEventStream({
      log,
      threadId: "t_1",
      after,
      heartbeatMs: 15_000,
      maxDurationMs: 0,
      retryMs: 1000,
      padToBytes,
      metrics,
    }).getReader();
    const sse = createSseCollector();
    const decoder = new TextDecoder();
    const until = async (done: () => boolean) => {
      while (!done()) {
        const { value, done: end } = await reader.read();
        if (end) return;
        sse.feed(decoder.decode(value, { stream: true }));
      }
    };
    return { frames: sse.items, until, cancel: () => reader.cancel() };
  };
  const value = (def: typeof STREAMS_OPEN | typeof FRAMES_DELIVERED | typeof STREAM_RESUMES, labels?: Record<string, string>) =>
    metrics.read(def).find((s) => !labels || Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;
  return { metrics, log, say, open, value };
}

describe("a held stream's metrics", () => {
  it("counts itself open, each live frame with its latency, a resume, and its close when the client goes", async () => {
    const { metrics, say, open, value } = await setup();
    const first = open(null);
    await first.until(() => first.frames.some((f) => f.event === "snapshot"));
    expect(value(STREAMS_OPEN, { mode: "thread" })).toBe(1);
    for (let n = 0; n < 3; n++) await say(n);
    await first.until(() => first.frames.filter((f) => f.event === "message.created").length === 3);
    expect(value(FRAMES_DELIVERED)).toBe(3);
    const [latency] = metrics.readHistogram(DELIVERY_LATENCY);
    expect(latency?.count).toBe(3);
    expect(latency?.max).toBeLessThan(1);
    expect(metrics.read(EVENTS_APPENDED)).toEqual([{ labels: { type: "message.created" }, value: 3 }]);

    // A reconnect from the last id: a resume, nothing replayed twice.
    const resumed = open(first.frames.at(-1)?.id as string);
    await first.cancel();
    await say(3);
    await resumed.until(() => resumed.frames.some((f) => f.event === "message.created"));
    expect(value(STREAM_RESUMES)).toBe(1);
    expect(value(FRAMES_DELIVERED)).toBe(4);
    await resumed.cancel();
    await expect.poll(() => value(STREAMS_OPEN, { mode: "thread" })).toBe(0);
    expect(metrics.read(STREAMS_CLOSED)).toEqual([{ labels: { reason: "client_gone" }, value: 2 }]);
  });

  it("counts a reset by its reason, and times padded writes when they go out", async () => {
    const { metrics, say, open } = await setup();
    const stale = open("zzzz:1-0");
    await stale.until(() => stale.frames.some((f) => f.event === "reset"));
    expect(metrics.read(STREAM_RESETS)).toEqual([{ labels: { reason: "epoch" }, value: 1 }]);
    const padded = open(null, 1024);
    await padded.until(() => padded.frames.some((f) => f.event === "snapshot"));
    await say(0);
    await padded.until(() => padded.frames.some((f) => f.event === "message.created"));
    // Both streams follow the thread now: the reset one from its fresh snapshot.
    await stale.until(() => stale.frames.some((f) => f.event === "message.created"));
    expect(metrics.readHistogram(DELIVERY_LATENCY)[0]?.count).toBe(2);
    await stale.cancel();
    await padded.cancel();
  });
});
