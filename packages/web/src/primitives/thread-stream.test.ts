import type { ChatEvent } from "@murmur/core/chat";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api.ts";
import { createFakeSource, FakeEventSource } from "../testing/fakes.ts";
import { OFFLINE_AFTER_MS } from "./backoff.ts";
import { makeThreadStream, STABLE_OPEN_MS, type StreamFrame, type StreamStatus, type ThreadStream } from "./thread-stream.ts";

const sources = () => FakeEventSource.all;
const latest = () => sources().at(-1) as FakeEventSource;
const created: ChatEvent = { id: "e1", threadId: "t_1", at: 1, type: "message.created", messageId: "m_1", role: "user", text: "hi" };
const snapshot = { state: { threadId: "t_1", messages: [] }, cursor: "ep:1-0" };

function setup(
  request: { after: string | null; threads?: boolean; client?: string } = { after: null },
  random = () => 0.999_999,
  probe = vi.fn(async (_threadId: string, _cursor: string | null): Promise<unknown> => null),
) {
  const frames: StreamFrame[] = [];
  const statuses: StreamStatus[] = [];
  const ends: string[] = [];
  const release = vi.fn();
  const stream = makeThreadStream(
    "t_1",
    request,
    { frame: (f) => frames.push(f), status: (s) => statuses.push(s), end: (r) => ends.push(r) },
    { createSource: createFakeSource, release, probe, capMs: 4000, random },
  );
  streams.push(stream);
  const status = () => statuses.at(-1)?.status;
  return { stream, frames, statuses, status, ends, release, probe };
}
/** Every stream a test made: closed after it, so none hears the next test's online and offline events. */
const streams: ThreadStream[] = [];
/** Lets the probe's answer (a resolved promise) be handled. */
const answered = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  FakeEventSource.all = [];
});
afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
  vi.useRealTimers();
  vi.restoreAllMocks();
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

  it("leaves reconnecting to EventSource after a planned close: it resumes at the server's retry, with Last-Event-ID", () => {
    vi.useFakeTimers();
    const { status } = setup();
    latest().open();
    latest().emit("close", { reason: "planned" });
    expect(status()).toBe("reconnecting");
    latest().fail(false); // the connection's end after the close frame
    expect(status()).toBe("reconnecting");
    expect(latest().closed).toBe(false);
    latest().open();
    expect(status()).toBe("live");
    expect(sources()).toHaveLength(1);
    vi.advanceTimersByTime(60_000);
    expect(sources()).toHaveLength(1);
  });

  it("on a dropped connection closes EventSource (no retry a second) and reopens after 1 s, 2 s, 4 s… from the last cursor", () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const { status, statuses, stream } = setup({ after: null, client: "c_1" });
    latest().open();
    latest().emit("snapshot", snapshot, "ep:1-0");
    latest().emit("message.created", created, "ep:2-0");

    const opened: number[] = [];
    for (const wait of [1000, 2000, 4000, 4000]) {
      latest().fail(false);
      expect(latest().closed).toBe(true);
      expect(statuses.at(-1)).toEqual({ status: "reconnecting", retryAt: Date.now() + wait });
      vi.advanceTimersByTime(wait - 1);
      const count = sources().length;
      vi.advanceTimersByTime(1);
      expect(sources()).toHaveLength(count + 1);
      opened.push(Date.now());
      expect(latest().url).toBe("/api/chats/sse/t_1?after=ep%3A2-0&client=c_1");
    }
    expect(opened).toEqual([1000, 3000, 7000, 11_000]); // capped at 4 s here (30 s by default)
    latest().open();
    expect(status()).toBe("live");
    stream.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("starts the back-off from its base again once a reopened stream sends a frame, or stays open a while", () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const { statuses } = setup({ after: "ep:1-0", client: "c_1" });
    latest().fail(false);
    vi.advanceTimersByTime(1000);
    latest().fail(false);
    vi.advanceTimersByTime(2000);
    latest().open();
    latest().emit("opened", { streamId: "st_2" });
    latest().fail(false);
    expect(statuses.at(-1)?.retryAt).toBe(Date.now() + 1000);
    vi.advanceTimersByTime(1000);
    latest().fail(false);
    vi.advanceTimersByTime(2000);
    latest().open(); // a server that sends nothing yet (no client id, no events)
    vi.advanceTimersByTime(STABLE_OPEN_MS);
    latest().fail(false);
    expect(statuses.at(-1)?.retryAt).toBe(Date.now() + 1000);
  });

  it("escalates to offline after OFFLINE_AFTER_MS of failures, with the next try's time; Retry now reconnects at once", () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const { status, statuses, stream } = setup({ after: "ep:1-0" });
    latest().fail(false);
    while (Date.now() < OFFLINE_AFTER_MS) {
      expect(status()).toBe("reconnecting");
      vi.advanceTimersByTime(100);
      if (!latest().closed && latest().readyState === 0) latest().fail(false);
    }
    expect(statuses.at(-1)).toEqual({ status: "offline", retryAt: 11_000 }); // tries at 1 s, 3 s, 7 s; the next at 11 s (capped at 4 s)
    const count = sources().length;
    stream.retryNow();
    expect(sources()).toHaveLength(count + 1);
    expect(statuses.at(-1)).toEqual({ status: "offline", retryAt: null }); // a try under way
    latest().open();
    expect(status()).toBe("live");
    vi.advanceTimersByTime(60_000);
    expect(sources()).toHaveLength(count + 1); // the scheduled try was replaced
  });

  it("says offline at once when the browser goes offline, and reconnects at once when it is back", () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const onLine = vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    const { status, statuses } = setup({ after: "ep:1-0" });
    latest().open();
    window.dispatchEvent(new Event("offline"));
    expect(latest().closed).toBe(true);
    expect(statuses.at(-1)).toEqual({ status: "offline", retryAt: 1000 });
    onLine.mockReturnValue(true);
    window.dispatchEvent(new Event("online"));
    expect(sources()).toHaveLength(2);
    latest().open();
    expect(status()).toBe("live");
    onLine.mockRestore();
  });

  it("asks the API about a refused stream: still there, it backs off; 404 or 403, it ends with a gone frame and never reconnects", async () => {
    vi.useFakeTimers();
    const missing = vi.fn(async () => {
      throw new ApiError(404, "not_found", "thread t_1 not found");
    });
    const refused = setup({ after: "ep:1-0", client: "c_1" });
    latest().fail(true); // a 429 or a 5xx: the thread is there
    expect(refused.status()).toBe("reconnecting");
    await answered();
    expect(refused.probe).toHaveBeenCalledWith("t_1", "ep:1-0");
    await vi.advanceTimersByTimeAsync(1000);
    expect(sources()).toHaveLength(2);
    refused.stream.close();

    FakeEventSource.all = [];
    const { frames, ends, stream } = setup({ after: "ep:1-0", client: "c_1" }, undefined, missing);
    latest().fail(true);
    await answered();
    expect(frames.at(-1)).toEqual({ kind: "gone", threadId: "t_1", code: "not_found" });
    expect(ends).toEqual(["gone"]);
    await vi.advanceTimersByTimeAsync(60_000);
    window.dispatchEvent(new Event("online"));
    stream.retryNow();
    expect(sources()).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);

    FakeEventSource.all = [];
    const forbidden = setup(
      { after: null },
      undefined,
      vi.fn(async () => Promise.reject(new ApiError(403, "forbidden", "another session's"))),
    );
    latest().fail(true);
    await answered();
    expect(forbidden.frames.at(-1)).toEqual({ kind: "gone", threadId: "t_1", code: "forbidden" });
  });

  it("a close cancels the next try", () => {
    vi.useFakeTimers();
    const { stream } = setup({ after: null });
    latest().fail(false);
    stream.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(sources()).toHaveLength(1);
  });
});
