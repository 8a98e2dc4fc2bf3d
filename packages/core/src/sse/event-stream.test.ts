import { describe, expect, it } from "vitest";
import { createMemoryEventLog } from "../event-log/memory.ts";
import type { ChatEvent } from "../events/schemas.ts";
import { type EventStreamOptions, openEventStream } from "./event-stream.ts";
import { announceStream, controlChannel, releaseStream } from "./stream-control.ts";

interface Frame {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/** Reads SSE frames from a stream (or a reader of one) until `until` is satisfied or the stream ends. */
async function readFrames(
  stream: ReadableStream<Uint8Array> | ReadableStreamDefaultReader<Uint8Array>,
  until: (frames: Frame[]) => boolean = () => false,
) {
  const reader = stream instanceof ReadableStream ? stream.getReader() : stream;
  const decoder = new TextDecoder();
  const frames: Frame[] = [];
  const chunks: Uint8Array[] = [];
  let buffer = "";
  let ended = false;
  while (!until(frames)) {
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    chunks.push(value);
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end !== -1) {
      const frame: Frame = {};
      for (const line of buffer.slice(0, end).split("\n")) {
        if (line.startsWith(":")) frame.comment = line.slice(1).trim();
        else {
          const [field, ...rest] = line.split(": ");
          const value = rest.join(": ");
          if (field === "data") frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
          else (frame as Record<string, string>)[field as string] = value;
        }
      }
      frames.push(frame);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
    }
  }
  return { frames, chunks, ended, cancel: () => reader.cancel() };
}

async function setup() {
  const log = createMemoryEventLog();
  await log.createThread({ id: "t_1", owner: "s", createdAt: 1 });
  const append = (n: number) =>
    log.append({ id: `msg:${n}`, threadId: "t_1", at: 1, type: "message.created", messageId: `m${n}`, role: "user", text: `hi ${n}` });
  const base: EventStreamOptions = { log, threadId: "t_1", after: null, heartbeatMs: 15_000, maxDurationMs: 0, retryMs: 1000 };
  return { log, append, base };
}

const events = (frames: Frame[]) => frames.filter((f) => f.event?.startsWith("message."));

describe("event stream", () => {
  it("sends retry, a snapshot, then live events with their cursors as ids", async () => {
    const { append, base } = await setup();
    await append(1);
    const stream = openEventStream(base);
    setTimeout(() => void append(2), 20);
    const { frames, cancel } = await readFrames(stream, (f) => events(f).length >= 1);
    await cancel();
    expect(frames[0]).toEqual({ retry: "1000" });
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
    const stream = openEventStream({ ...base, owner: "s" });
    setTimeout(() => void append(1), 20);
    const updates = (frames: Frame[]) => frames.filter((f) => f.event === "thread.updated");
    const { frames, cancel } = await readFrames(stream, (f) => updates(f).length >= 1 && events(f).length >= 1);
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
    const plain = await readFrames(openEventStream(base), (f) => f.some((x) => x.event === "snapshot"));
    await plain.cancel();
    expect(plain.frames.map((f) => f.event)).not.toContain("threads");
  });

  it("announces a controlled stream, and ends it when a newer stream of its browser takes over or the browser releases it", async () => {
    const { log, base } = await setup();
    const channel = controlChannel("s");
    const control = { channel, client: "browser1", threadId: "t_1" };
    const closes = (frames: Frame[]) => frames.filter((f) => f.event === "close").map((f) => JSON.parse(f.data ?? "{}").reason);
    const first = openEventStream({ ...base, control: { ...control, streamId: "st_1" } });
    const reader = first.getReader();
    const opened = await readFrames(reader, (f) => f.some((x) => x.event === "opened"));
    expect(opened.frames.find((f) => f.event === "opened")?.data).toBe(JSON.stringify({ streamId: "st_1" }));
    // Another thread's stream of this browser, or another browser's of this thread, change nothing;
    // a newer one of this browser and thread ends it.
    await announceStream(log, { ...control, threadId: "t_other", streamId: "st_x" });
    await announceStream(log, { ...control, client: "browser2", streamId: "st_y" });
    const second = openEventStream({ ...base, control: { ...control, streamId: "st_2" } });
    expect(closes((await readFrames(reader, (f) => closes(f).length > 0)).frames)).toEqual(["superseded"]);

    const reader2 = second.getReader();
    await readFrames(reader2, (f) => f.some((x) => x.event === "opened"));
    await releaseStream(log, channel, "t_1", "st_other");
    await releaseStream(log, channel, "t_1", "st_2");
    expect(closes((await readFrames(reader2, (f) => closes(f).length > 0)).frames)).toEqual(["released"]);
  });

  it("encodes a live event once for all the streams that send it", async () => {
    const { append, base, log } = await setup();
    const { cursor } = await log.snapshot("t_1");
    const streams = [openEventStream({ ...base, after: cursor }), openEventStream({ ...base, after: cursor })];
    setTimeout(() => void append(1), 20);
    const reads = await Promise.all(streams.map((stream) => readFrames(stream, (f) => events(f).length >= 1)));
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
    const stream = openEventStream({ ...base, after: first.cursor });
    setTimeout(() => void append(4), 20);
    const { frames, cancel } = await readFrames(stream, (f) => events(f).length >= 3);
    await cancel();
    expect(frames.some((f) => f.event === "snapshot")).toBe(false);
    expect(events(frames).map((f) => JSON.parse(f.data ?? "").text)).toEqual(["hi 2", "hi 3", "hi 4"]);
  });

  it("answers a cursor from another epoch with a reset carrying a fresh snapshot", async () => {
    const { append, base } = await setup();
    await append(1);
    const { frames, cancel } = await readFrames(openEventStream({ ...base, after: "zzzzzzzz:1-0" }), (f) => f.length >= 2);
    await cancel();
    expect(frames[1]?.event).toBe("reset");
    const data = JSON.parse(frames[1]?.data ?? "");
    expect(data).toMatchObject({ reason: "epoch", state: { threadId: "t_1" } });
    expect(data.state.messages).toHaveLength(1);
    expect(frames[1]?.id).toBe(data.cursor);
  });

  it("sends a ping every heartbeat interval", async () => {
    const { base } = await setup();
    const started = Date.now();
    const { frames, cancel } = await readFrames(
      openEventStream({ ...base, heartbeatMs: 100 }),
      (f) => f.filter((x) => x.comment === "ping").length >= 2,
    );
    await cancel();
    expect(frames.map((f) => f.comment ?? f.event ?? "retry")).toEqual(["retry", "snapshot", "ping", "ping"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("closes on purpose after the maximum duration, with retry", async () => {
    const { base } = await setup();
    let closed = 0;
    const { frames, ended } = await readFrames(openEventStream({ ...base, maxDurationMs: 100, onClose: () => closed++ }));
    expect(ended).toBe(true);
    expect(frames.at(-1)).toEqual({ retry: "1000", event: "close", data: '{"reason":"planned"}' });
    expect(closed).toBe(1);
  });

  it("ends and reports once when the client goes away", async () => {
    const { base } = await setup();
    const client = new AbortController();
    let closed = 0;
    const stream = openEventStream({ ...base, signal: client.signal, onClose: () => closed++ });
    setTimeout(() => client.abort(), 30);
    const { ended } = await readFrames(stream);
    expect(ended).toBe(true);
    expect(closed).toBe(1);
  });

  it("tells the client in-band when the log fails, then closes", async () => {
    const { log, base } = await setup();
    const stream = openEventStream(base);
    const reading = readFrames(stream);
    setTimeout(() => void log.close(), 20);
    const { frames, ended } = await reading;
    expect(ended).toBe(true);
    expect(frames.at(-1)).toMatchObject({ event: "close", retry: "1000" });
  });

  it("pads small writes up to the flush size", async () => {
    const { base } = await setup();
    const { chunks, cancel } = await readFrames(openEventStream({ ...base, padToBytes: 512 }), (f) =>
      f.some((x) => x.event === "snapshot"),
    );
    await cancel();
    for (const chunk of chunks) expect(chunk.byteLength).toBeGreaterThanOrEqual(512);
  });
});
