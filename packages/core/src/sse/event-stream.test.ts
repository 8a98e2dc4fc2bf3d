import { describe, expect, it } from "vitest";
import { createMemoryEventLog } from "../event-log/memory.ts";
import type { ChatEvent } from "../events/schemas.ts";
import { createSseCollector, type SseItem } from "../testing/sse.ts";
import { type EventStreamOptions, openEventStream } from "./event-stream.ts";
import { announceStream, controlChannel, releaseStream } from "./stream-control.ts";

/** Reads a stream's SSE frames (through the tests' SSE parser) as far as a test asks. */
function readFrames(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const sse = createSseCollector();
  const chunks: Uint8Array[] = [];
  let ended = false;
  return {
    frames: sse.items,
    chunks,
    /** Reads on until `done` holds for the frames so far, or to the end; true: the stream ended. */
    async readUntil(done: (frames: readonly SseItem[]) => boolean = () => false) {
      while (!ended && !done(sse.items)) {
        const { value, done: end } = await reader.read();
        if (end) ended = true;
        else {
          chunks.push(value);
          sse.feed(decoder.decode(value, { stream: true }));
        }
      }
      return ended;
    },
    cancel: () => reader.cancel(),
  };
}

/** The last chunk a stream sent, as text. */
const lastChunk = (chunks: Uint8Array[]) => new TextDecoder().decode(chunks.at(-1));

async function setup() {
  const log = createMemoryEventLog();
  await log.createThread({ id: "t_1", owner: "s", createdAt: 1 });
  const append = (n: number) =>
    log.append({ id: `msg:${n}`, threadId: "t_1", at: 1, type: "message.created", messageId: `m${n}`, role: "user", text: `hi ${n}` });
  const base: EventStreamOptions = { log, threadId: "t_1", after: null, heartbeatMs: 15_000, maxDurationMs: 0, retryMs: 1000 };
  return { log, append, base };
}

const events = (frames: readonly SseItem[]) => frames.filter((f) => f.event?.startsWith("message."));

describe("event stream", () => {
  const snapshotSent = (frames: readonly SseItem[]) => frames.some((f) => f.event === "snapshot");

  it("lets a client that stops reading go with close slow_client once its queue passes the bound", async () => {
    const { log, base } = await setup();
    const { frames, readUntil } = readFrames(openEventStream({ ...base, maxBufferedBytes: 64 * 1024 }));
    const text = "x".repeat(4096);
    // Nothing reads while 100 events of 4 KB go through the thread (400 KB against a 64 KB bound).
    for (let n = 0; n < 100; n++) {
      await log.append({ id: `msg:${n}`, threadId: "t_1", at: 1, type: "message.created", messageId: `m${n}`, role: "user", text });
    }
    const ended = await readUntil();
    expect(ended).toBe(true);
    const close = frames.at(-1);
    expect(close?.event).toBe("close");
    expect(JSON.parse(close?.data ?? "")).toEqual({ reason: "slow_client" });
    // What it queued stopped at about the bound: the rest waits in the log for its resume.
    expect(events(frames).length).toBeGreaterThan(0);
    expect(events(frames).length).toBeLessThan(20);
  });

  it("sends retry, a snapshot, then live events with their cursors as ids", async () => {
    const { append, base } = await setup();
    await append(1);
    const { frames, readUntil, cancel } = readFrames(openEventStream(base));
    await readUntil(snapshotSent);
    await append(2);
    await readUntil((f) => events(f).length >= 1);
    await cancel();
    expect(frames[0]).toEqual({ retry: 1000 });
    expect(frames[1]?.event).toBe("snapshot");
    const snapshot = JSON.parse(frames[1]?.data ?? "");
    expect(snapshot.state.messages.map((m: { text: string }) => m.text)).toEqual(["hi 1"]);
    expect(frames[1]?.id).toBe(snapshot.cursor);
    const live = events(frames)[0];
    const event = JSON.parse(live?.data ?? "") as ChatEvent;
    expect(event).toMatchObject({ type: "message.created", text: "hi 2" });
    expect(live?.id).toMatch(/^[a-z0-9]+:\d+-\d+$/);
  });

  it("carries the owner's thread list, then each change, in frames without ids", async () => {
    const { log, append, base } = await setup();
    await log.createThread({ id: "t_2", owner: "s", createdAt: 2 });
    const { frames, readUntil, cancel } = readFrames(openEventStream({ ...base, owner: "s" }));
    await readUntil((f) => snapshotSent(f) && f.some((x) => x.event === "threads"));
    await append(1);
    const updates = (frames: readonly SseItem[]) => frames.filter((f) => f.event === "thread.updated");
    await readUntil((f) => updates(f).length >= 1 && events(f).length >= 1);
    await cancel();
    const list = frames.find((f) => f.event === "threads");
    expect(JSON.parse(list?.data ?? "").threads.map((t: { id: string }) => t.id)).toEqual(["t_2", "t_1"]);
    expect(JSON.parse(list?.data ?? "").position).toEqual(expect.any(String));
    expect(JSON.parse(updates(frames)[0]?.data ?? "")).toMatchObject({
      thread: { id: "t_1", title: "hi 1" },
      position: expect.any(String),
    });
    expect([list?.id, updates(frames)[0]?.id]).toEqual([undefined, undefined]);
    // Without an owner the stream carries the thread alone.
    const plain = readFrames(openEventStream(base));
    await plain.readUntil(snapshotSent);
    await plain.cancel();
    expect(plain.frames.map((f) => f.event)).not.toContain("threads");
  });

  it("announces a controlled stream, and ends it when a newer stream of its browser takes over or the browser releases it", async () => {
    const { log, base } = await setup();
    const channel = controlChannel("s");
    const control = { channel, client: "browser1", threadId: "t_1" };
    const closes = (frames: readonly SseItem[]) => frames.filter((f) => f.event === "close").map((f) => JSON.parse(f.data ?? "{}").reason);
    const opened = (frames: readonly SseItem[]) => frames.find((f) => f.event === "opened");
    const first = readFrames(openEventStream({ ...base, control: { ...control, streamId: "st_1" } }));
    await first.readUntil((f) => opened(f) !== undefined);
    expect(opened(first.frames)?.data).toBe(JSON.stringify({ streamId: "st_1" }));
    // Another thread's stream of this browser, or another browser's of this thread, change nothing;
    // a newer one of this browser and thread ends it.
    await announceStream(log, { ...control, threadId: "t_other", streamId: "st_x" });
    await announceStream(log, { ...control, client: "browser2", streamId: "st_y" });
    const second = readFrames(openEventStream({ ...base, control: { ...control, streamId: "st_2" } }));
    expect(await first.readUntil((f) => closes(f).length > 0)).toBe(false);
    expect(closes(first.frames)).toEqual(["superseded"]);

    await second.readUntil((f) => opened(f) !== undefined);
    await releaseStream(log, channel, "t_1", "st_other");
    await releaseStream(log, channel, "t_1", "st_2");
    await second.readUntil((f) => closes(f).length > 0);
    expect(closes(second.frames)).toEqual(["released"]);
  });

  it("encodes a live event once for all the streams that send it", async () => {
    const { append, base, log } = await setup();
    const { cursor } = await log.snapshot("t_1");
    const reads = [readFrames(openEventStream({ ...base, after: cursor })), readFrames(openEventStream({ ...base, after: cursor }))];
    // Both streams are open (their first frame, retry:, is out) before the event is appended.
    await Promise.all(reads.map((read) => read.readUntil((f) => f.length >= 1)));
    await append(1);
    await Promise.all(reads.map((read) => read.readUntil((f) => events(f).length >= 1)));
    for (const read of reads) await read.cancel();
    const [first, second] = reads.map((read) => read.chunks.at(-1));
    expect(new TextDecoder().decode(first)).toContain("event: message.created");
    expect(first).toBe(second);
  });

  it("replays what came after the cursor, then goes live", async () => {
    const { append, base } = await setup();
    const first = await append(1);
    await append(2);
    await append(3);
    const { frames, readUntil, cancel } = readFrames(openEventStream({ ...base, after: first.cursor }));
    await readUntil((f) => events(f).length >= 2);
    await append(4);
    await readUntil((f) => events(f).length >= 3);
    await cancel();
    expect(frames.some((f) => f.event === "snapshot")).toBe(false);
    expect(events(frames).map((f) => JSON.parse(f.data ?? "").text)).toEqual(["hi 2", "hi 3", "hi 4"]);
  });

  it("answers a cursor from another epoch with a reset carrying a fresh snapshot", async () => {
    const { append, base } = await setup();
    await append(1);
    const { frames, readUntil, cancel } = readFrames(openEventStream({ ...base, after: "zzzzzzzz:1-0" }));
    await readUntil((f) => f.length >= 2);
    await cancel();
    expect(frames[1]?.event).toBe("reset");
    const data = JSON.parse(frames[1]?.data ?? "");
    expect(data).toMatchObject({ reason: "epoch", state: { threadId: "t_1" } });
    expect(data.state.messages).toHaveLength(1);
    expect(frames[1]?.id).toBe(data.cursor);
  });

  it("sends a ping when nothing else went out for a heartbeat interval: never later, at most a wheel tick earlier", async () => {
    const { base } = await setup();
    const started = Date.now();
    const { frames, readUntil, cancel } = readFrames(openEventStream({ ...base, heartbeatMs: 100 }));
    const at: number[] = [];
    await readUntil((f) => {
      while (at.length < f.length) at.push(Date.now() - started);
      return f.filter((x) => x.comment === "ping").length >= 3;
    });
    await cancel();
    expect(frames.map((f) => f.comment ?? f.event ?? "retry")).toEqual(["retry", "snapshot", "ping", "ping", "ping"]);
    // The wheel of a 100 ms heartbeat checks every 25 ms: a ping goes out 75-100 ms after the last byte (I4: never later).
    const gaps = at.slice(2).map((t, i) => t - (at[i + 1] as number));
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(70);
      expect(gap).toBeLessThanOrEqual(100 + 50); // and the event loop's own delay on a loaded machine
    }
  });

  it("closes on purpose after the maximum duration, with retry", async () => {
    const { base } = await setup();
    let closed = 0;
    const { frames, chunks, readUntil } = readFrames(openEventStream({ ...base, maxDurationMs: 100, onClose: () => closed++ }));
    expect(await readUntil()).toBe(true);
    expect(frames.slice(-2)).toEqual([{ retry: 1000 }, { event: "close", data: '{"reason":"planned"}' }]);
    expect(lastChunk(chunks)).toBe('retry: 1000\nevent: close\ndata: {"reason":"planned"}\n\n'); // one frame
    expect(closed).toBe(1);
  });

  it("ends and reports once when the client goes away", async () => {
    const { base, log, append } = await setup();
    let closed = 0;
    const { readUntil, cancel } = readFrames(openEventStream({ ...base, onClose: () => closed++ }));
    await readUntil(snapshotSent);
    await cancel(); // the consumer (the client's connection) goes away
    expect(closed).toBe(1);
    // Its listener left the thread's feed: appends after it reach nobody, and nothing throws.
    await append(9);
    expect((await log.snapshot("t_1")).state.messages.at(-1)?.text).toBe("hi 9");
    expect(closed).toBe(1);
  });

  it("tells the client in-band when the log fails, then closes", async () => {
    const { log, base } = await setup();
    const { frames, chunks, readUntil } = readFrames(openEventStream(base));
    await readUntil(snapshotSent);
    await log.close();
    expect(await readUntil()).toBe(true);
    expect(frames.slice(-2)).toMatchObject([{ retry: 1000 }, { event: "close" }]);
    expect(lastChunk(chunks)).toMatch(/^retry: 1000\nevent: close\n/); // one frame
  });

  it("pads small writes up to the flush size", async () => {
    const { base } = await setup();
    const { chunks, readUntil, cancel } = readFrames(openEventStream({ ...base, padToBytes: 512 }));
    await readUntil(snapshotSent);
    await cancel();
    for (const chunk of chunks) expect(chunk.byteLength).toBeGreaterThanOrEqual(512);
  });
});
