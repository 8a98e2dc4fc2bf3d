import type { ChatEvent } from "@murmur/core/chat";
import { createRoot, createSignal } from "solid-js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EventSourceFactory } from "../api.ts";
import { createThreadStream } from "./create-thread-stream.ts";

/** Just enough EventSource: the test opens, fails and feeds it by hand. */
class FakeEventSource extends EventTarget {
  static all: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  constructor(readonly url: string) {
    super();
    FakeEventSource.all.push(this);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.dispatchEvent(new Event("open"));
  }
  /** A dropped connection: EventSource retries by itself unless `final` (a non-200 answer). */
  fail(final: boolean) {
    this.readyState = final ? 2 : 0;
    this.dispatchEvent(new Event("error"));
  }
  emit(type: string, data: unknown, id: string) {
    if (!this.closed) this.dispatchEvent(new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id }));
  }
}

const createSource: EventSourceFactory = (url) => new FakeEventSource(url) as unknown as EventSource;
const sources = () => FakeEventSource.all;
const latest = () => sources().at(-1) as FakeEventSource;
const created: ChatEvent = { id: "e1", threadId: "t_1", at: 1, type: "message.created", messageId: "m_1", role: "user", text: "hi" };

function setup(initial?: string, random = () => 1) {
  return createRoot((dispose) => {
    const [threadId, setThreadId] = createSignal(initial);
    const [paused, setPaused] = createSignal(false);
    const stream = createThreadStream(threadId, { createSource, minRetryMs: 1000, maxRetryMs: 4000, random, paused });
    return { ...stream, setThreadId, setPaused, dispose };
  });
}

beforeEach(() => {
  FakeEventSource.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe("createThreadStream", () => {
  it("opens nothing without a thread", () => {
    const { status, store, dispose } = setup();
    expect(sources()).toHaveLength(0);
    expect(status()).toBe("offline");
    expect(store()).toBeUndefined();
    dispose();
  });

  it("opens one stream per selected thread, closes it on switch and on dispose", () => {
    const { status, store, setThreadId, dispose } = setup("t_1");
    expect(sources().map((s) => s.url)).toEqual(["/api/chats/sse/t_1"]);
    expect(status()).toBe("connecting");
    latest().open();
    expect(status()).toBe("live");
    latest().emit("snapshot", { state: { threadId: "t_1", messages: [] }, cursor: "ep:1-0" }, "ep:1-0");
    latest().emit("message.created", created, "ep:2-0");
    expect(
      store()
        ?.state()
        .messages.map((m) => m.text),
    ).toEqual(["hi"]);
    expect(store()?.cursor()).toBe("ep:2-0");

    setThreadId("t_2");
    expect(sources().map((s) => [s.url, s.closed])).toEqual([
      ["/api/chats/sse/t_1", true],
      ["/api/chats/sse/t_2", false],
    ]);
    expect(status()).toBe("connecting");
    expect(store()?.threadId).toBe("t_2");

    dispose();
    expect(sources()).toHaveLength(2);
    expect(sources().every((s) => s.closed)).toBe(true);
  });

  it("keeps the stream when the accessor re-runs with the same id", () => {
    const [picked, setPicked] = createSignal<string>();
    const [first, setFirst] = createSignal<string>();
    const { store, dispose } = createRoot((dispose) => ({
      ...createThreadStream(() => picked() ?? first(), { createSource }),
      dispose,
    }));
    setFirst("t_1");
    const opened = store();
    setPicked("t_1");
    expect(sources()).toHaveLength(1);
    expect(store()).toBe(opened);
    dispose();
  });

  it("leaves reconnecting to EventSource while it retries by itself", () => {
    const { status, dispose } = setup("t_1");
    latest().open();
    latest().emit("close", { reason: "planned" }, "ep:1-0");
    expect(status()).toBe("reconnecting");
    latest().fail(false);
    expect(status()).toBe("reconnecting");
    latest().open();
    expect(status()).toBe("live");
    expect(sources()).toHaveLength(1);
    dispose();
  });

  it("reopens a stream EventSource gave up on, after a growing delay, resuming from the last cursor", () => {
    vi.useFakeTimers();
    const { status, dispose } = setup("t_1");
    latest().open();
    latest().emit("snapshot", { state: { threadId: "t_1", messages: [] }, cursor: "ep:1-0" }, "ep:1-0");
    latest().emit("message.created", created, "ep:2-0");

    latest().fail(true);
    expect(status()).toBe("offline");
    expect(latest().closed).toBe(true);
    vi.advanceTimersByTime(999);
    expect(sources()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sources()).toHaveLength(2);
    expect(latest().url).toBe("/api/chats/sse/t_1?after=ep%3A2-0");
    expect(status()).toBe("reconnecting");

    latest().fail(true); // second failure in a row: twice the delay
    vi.advanceTimersByTime(1999);
    expect(sources()).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sources()).toHaveLength(3);
    latest().open();
    expect(status()).toBe("live");
    dispose();
  });

  it("cancels a pending reopen on dispose", () => {
    vi.useFakeTimers();
    const { dispose } = setup("t_1");
    latest().fail(true);
    dispose();
    vi.advanceTimersByTime(60_000);
    expect(sources()).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("draws each reopen delay from the upper half of the back-off (jitter), and shows when it will come", () => {
    vi.useFakeTimers();
    vi.setSystemTime(10_000);
    const { retryAt, dispose } = setup("t_1", () => 0);
    latest().fail(true);
    expect(retryAt()).toBe(10_500);
    vi.advanceTimersByTime(499);
    expect(sources()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sources()).toHaveLength(2);
    expect(retryAt()).toBeNull();
    dispose();
  });

  it("closes the stream while paused and resumes from the last cursor, missing nothing", () => {
    const { status, store, setPaused, dispose } = setup("t_1");
    latest().open();
    latest().emit("snapshot", { state: { threadId: "t_1", messages: [] }, cursor: "ep:1-0" }, "ep:1-0");
    latest().emit("message.created", created, "ep:2-0");
    const kept = store();
    setPaused(true);
    expect(latest().closed).toBe(true);
    expect(status()).toBe("paused");
    setPaused(false);
    expect(sources()).toHaveLength(2);
    expect(latest().url).toBe("/api/chats/sse/t_1?after=ep%3A2-0");
    expect(status()).toBe("reconnecting");
    expect(store()).toBe(kept);
    latest().open();
    expect(status()).toBe("live");
    dispose();
    expect(latest().closed).toBe(true);
  });
});
