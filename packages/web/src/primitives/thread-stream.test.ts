import type { ChatEvent } from "@murmur/core/chat";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createFakeSource, FakeEventSource } from "../testing/fakes.ts";
import { makeThreadStream, type StreamFrame, type StreamStatus } from "./thread-stream.ts";

const sources = () => FakeEventSource.all;
const latest = () => sources().at(-1) as FakeEventSource;
const created: ChatEvent = { id: "e1", threadId: "t_1", at: 1, type: "message.created", messageId: "m_1", role: "user", text: "hi" };
const snapshot = { state: { threadId: "t_1", messages: [] }, cursor: "ep:1-0" };

function setup(request: { after: string | null; threads?: boolean; client?: string } = { after: null }, random = () => 1) {
  const frames: StreamFrame[] = [];
  const statuses: StreamStatus[] = [];
  const ends: string[] = [];
  const release = vi.fn();
  const stream = makeThreadStream(
    "t_1",
    request,
    { frame: (f) => frames.push(f), status: (s) => statuses.push(s), end: (r) => ends.push(r) },
    { createSource: createFakeSource, release, minRetryMs: 1000, maxRetryMs: 4000, random },
  );
  const status = () => statuses.at(-1)?.status;
  return { stream, frames, statuses, status, ends, release };
}

beforeEach(() => {
  FakeEventSource.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe("makeThreadStream", () => {
  it("opens with the cursor, the thread list and the client id asked for, and hands on frames with the cursor before each", () => {
    const { stream, frames, status } = setup({ after: "ep:1-0", threads: true, client: "c_1" });
    expect(latest().url).toBe("/api/chats/sse/t_1?after=ep%3A1-0&threads=1&client=c_1");
    expect(status()).toBe("reconnecting");
    latest().open();
    expect(status()).toBe("live");
    latest().emit("message.created", created, "ep:2-0");
    latest().emit("threads", { threads: [], position: "p1" });
    latest().emit("thread.updated", { thread: { id: "t_1" }, position: "p2" });
    expect(frames).toEqual([
      { kind: "event", threadId: "t_1", event: created, cursor: "ep:2-0", prev: "ep:1-0" },
      { kind: "threads", threads: [], position: "p1", next: null },
      { kind: "thread", thread: { id: "t_1" }, position: "p2" },
    ]);
    expect(stream.cursor()).toBe("ep:2-0");
    expect(stream.start()).toBe("ep:1-0");
  });

  it("starts from a snapshot without a cursor, and takes the snapshot's cursor as its start", () => {
    const { stream, frames, status } = setup();
    expect(latest().url).toBe("/api/chats/sse/t_1");
    expect(status()).toBe("connecting");
    expect(stream.start()).toBeNull();
    latest().emit("snapshot", snapshot, "ep:1-0");
    latest().emit("message.created", created, "ep:2-0");
    expect(frames.map((f) => f.kind)).toEqual(["state", "event"]);
    expect(frames[1]).toMatchObject({ prev: "ep:1-0" });
    expect(stream.start()).toBe("ep:1-0");
  });

  it("ends the stream on the server, by the id of its opened frame, when dropped on purpose", () => {
    const { stream, release } = setup();
    latest().open();
    latest().emit("opened", { streamId: "st_1" });
    stream.close();
    expect(latest().closed).toBe(true);
    expect(release).toHaveBeenCalledWith("t_1", "st_1");
    stream.close();
    expect(release).toHaveBeenCalledTimes(1);
  });

  it("stops for good when superseded or released, without reconnecting or asking the server again", () => {
    vi.useFakeTimers();
    const { stream, ends, release } = setup();
    latest().open();
    latest().emit("opened", { streamId: "st_1" });
    latest().emit("close", { reason: "superseded" });
    expect(latest().closed).toBe(true);
    expect(ends).toEqual(["superseded"]);
    vi.advanceTimersByTime(60_000);
    expect(sources()).toHaveLength(1);
    stream.close();
    expect(release).not.toHaveBeenCalled();
  });

  it("leaves reconnecting to EventSource after a planned close or a dropped connection", () => {
    const { status } = setup();
    latest().open();
    latest().emit("close", { reason: "planned" });
    expect(status()).toBe("reconnecting");
    latest().fail(false);
    expect(status()).toBe("reconnecting");
    latest().open();
    expect(status()).toBe("live");
    expect(sources()).toHaveLength(1);
  });

  it("reopens a stream EventSource gave up on, after a growing delay, resuming from the last cursor", () => {
    vi.useFakeTimers();
    const { status, stream } = setup({ after: null, client: "c_1" });
    latest().open();
    latest().emit("snapshot", snapshot, "ep:1-0");
    latest().emit("message.created", created, "ep:2-0");

    latest().fail(true);
    expect(status()).toBe("offline");
    expect(latest().closed).toBe(true);
    vi.advanceTimersByTime(999);
    expect(sources()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sources()).toHaveLength(2);
    expect(latest().url).toBe("/api/chats/sse/t_1?after=ep%3A2-0&client=c_1");
    expect(status()).toBe("reconnecting");

    latest().fail(true); // second failure in a row: twice the delay
    vi.advanceTimersByTime(1999);
    expect(sources()).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sources()).toHaveLength(3);
    latest().open();
    expect(status()).toBe("live");
    stream.close();
  });

  it("draws each reopen delay from the upper half of the back-off (jitter), says when it comes, and a close cancels it", () => {
    vi.useFakeTimers();
    vi.setSystemTime(10_000);
    const { statuses, stream } = setup({ after: null }, () => 0);
    latest().fail(true);
    expect(statuses.at(-1)).toEqual({ status: "offline", retryAt: 10_500 });
    vi.advanceTimersByTime(499);
    expect(sources()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sources()).toHaveLength(2);
    expect(statuses.at(-1)).toEqual({ status: "reconnecting", retryAt: null });
    latest().fail(true);
    stream.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(sources()).toHaveLength(2);
  });
});
