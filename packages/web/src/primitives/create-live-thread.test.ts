import type { ChatEvent } from "@murmur/core/chat";
import { createRoot, createSignal } from "solid-js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { StreamSettings, SyncResult } from "../api.ts";
import { createFakeSource, FakeEventSource, openSources } from "../testing/fakes.ts";
import { createLiveThread, type ListFrame } from "./create-live-thread.ts";
import { makeStreamHub } from "./stream-hub.ts";

const base = { threadId: "t_1", at: 1 };
const created: ChatEvent = { ...base, id: "e1", type: "message.created", messageId: "m_1", role: "user", text: "hi" };
const started: ChatEvent = { ...base, id: "e2", type: "run.started", runId: "r_1", messageId: "a_1", replyTo: "m_1", agent: "demo" };
const completed: ChatEvent = { ...base, id: "e3", type: "message.completed", runId: "r_1", messageId: "a_1", text: "hello" };
const snapshot = (cursor = "ep:1-0") => ({ state: { threadId: "t_1", messages: [] }, cursor });

const ON_DEMAND: StreamSettings = { policy: "on-demand", lingerMs: 1000, idleCheckMs: 5000 };
const ALWAYS: StreamSettings = { policy: "always", lingerMs: 1000, idleCheckMs: 5000 };

function setup(settings: StreamSettings | undefined, sync = vi.fn(async (): Promise<SyncResult | null> => null)) {
  const release = vi.fn();
  const lists: ListFrame[] = [];
  return createRoot((dispose) => {
    const [threadId, setThreadId] = createSignal<string | undefined>("t_1");
    const [hidden, setHidden] = createSignal(false);
    const [session, setSession] = createSignal(settings);
    const live = createLiveThread(threadId, {
      settings: session,
      hidden,
      position: () => "p1",
      onList: (frame) => lists.push(frame),
      sync,
      hub: (target) => makeStreamHub({ clientId: "c_1", stream: { createSource: createFakeSource, release } }, target),
    });
    return { ...live, setThreadId, setHidden, setSession, dispose, release, sync, lists };
  });
}
const only = () => {
  const open = openSources();
  expect(open).toHaveLength(1);
  return open[0] as FakeEventSource;
};

beforeEach(() => {
  FakeEventSource.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe("createLiveThread, policy always", () => {
  it("holds the open thread's stream (with the list) once the session is known, pauses it while hidden, and releases it on a switch", () => {
    const live = setup(undefined);
    expect(openSources()).toHaveLength(0);
    expect(live.status()).toBe("connecting");
    live.setSession(ALWAYS);
    const first = only();
    expect(first.url).toBe("/api/chats/sse/t_1?threads=1&client=c_1");
    first.open();
    first.emit("opened", { streamId: "st_1" });
    first.emit("snapshot", snapshot(), "ep:1-0");
    first.emit("message.created", created, "ep:2-0");
    first.emit("threads", { threads: [], position: "p2" });
    expect(live.status()).toBe("live");
    expect(
      live
        .store()
        ?.state()
        .messages.map((m) => m.text),
    ).toEqual(["hi"]);
    expect(live.lists).toEqual([{ kind: "threads", threads: [], position: "p2", next: null }]);

    live.setHidden(true);
    expect(first.closed).toBe(true);
    expect(live.release).toHaveBeenCalledWith("t_1", "st_1");
    expect(live.status()).toBe("paused");
    live.setHidden(false);
    expect(only().url).toBe("/api/chats/sse/t_1?after=ep%3A2-0&threads=1&client=c_1");

    live.setThreadId("t_2");
    expect(only().url).toBe("/api/chats/sse/t_2?threads=1&client=c_1");
    expect(live.store()?.threadId).toBe("t_2");
    live.dispose();
    expect(openSources()).toHaveLength(0);
  });
});

describe("createLiveThread, policy on-demand", () => {
  it("loads a thread it has never seen over a stream that lingers, then closes: idle, current as of the close", () => {
    vi.useFakeTimers();
    vi.setSystemTime(50_000);
    const live = setup(ON_DEMAND);
    const source = only();
    source.open();
    expect(live.status()).toBe("live");
    source.emit("opened", { streamId: "st_1" });
    source.emit("snapshot", snapshot(), "ep:1-0");
    vi.advanceTimersByTime(999);
    expect(source.closed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(source.closed).toBe(true);
    expect(live.release).toHaveBeenCalledWith("t_1", "st_1");
    expect(live.status()).toBe("idle");
    expect(live.asOf()).toBe(51_000);
    live.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("while idle checks every idleCheckMs: nothing changed moves the time on; a change opens the stream after the cursor to catch up", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(50_000);
    const sync = vi.fn(async (): Promise<SyncResult | null> => null);
    const live = setup(ON_DEMAND, sync);
    only().open();
    only().emit("snapshot", snapshot("ep:3-0"), "ep:3-0");
    await vi.advanceTimersByTimeAsync(1000);
    expect(openSources()).toHaveLength(0);

    await vi.advanceTimersByTimeAsync(5000);
    expect(sync).toHaveBeenCalledWith("t_1", "ep:3-0", "p1");
    expect(live.asOf()).toBe(56_000);
    expect(live.status()).toBe("idle");

    sync.mockResolvedValueOnce({ cursor: "ep:5-0", position: "p1", thread: true, threads: false });
    window.dispatchEvent(new Event("focus")); // at once on focus
    await vi.advanceTimersByTimeAsync(0);
    expect(sync).toHaveBeenCalledTimes(2);
    const catchUp = only();
    expect(catchUp.url).toBe("/api/chats/sse/t_1?after=ep%3A3-0&threads=1&client=c_1");
    catchUp.open();
    catchUp.emit("message.created", created, "ep:4-0");
    expect(live.store()?.state().messages).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(catchUp.closed).toBe(true);
    expect(sync).toHaveBeenCalledTimes(2); // no check while the stream was held
    live.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("opens the stream before a send and holds it while the reply streams, then a linger", async () => {
    vi.useFakeTimers();
    const live = setup(ON_DEMAND);
    only().open();
    only().emit("snapshot", snapshot(), "ep:1-0");
    await vi.advanceTimersByTimeAsync(1000);
    expect(openSources()).toHaveLength(0);

    const ready = live.beforeSend("t_1");
    const source = only();
    expect(source.url).toContain("after=ep%3A1-0");
    let open = false;
    void ready.then(() => {
      open = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(open).toBe(false); // not before the stream is live
    source.open();
    const sent = await ready;
    sent("m_1");
    await vi.advanceTimersByTimeAsync(5000);
    expect(source.closed).toBe(false); // the sent message waits for its reply
    source.emit("message.created", created, "ep:2-0");
    source.emit("run.started", started, "ep:3-0");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(source.closed).toBe(false); // the reply streams
    source.emit("message.completed", completed, "ep:4-0");
    await vi.advanceTimersByTimeAsync(999);
    expect(source.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(source.closed).toBe(true);
    live.dispose();
  });

  it("holds the stream while the person types, and lingerMs after the last keystroke", async () => {
    vi.useFakeTimers();
    const live = setup(ON_DEMAND);
    only().emit("snapshot", snapshot(), "ep:1-0");
    only().open();
    await vi.advanceTimersByTimeAsync(1000);
    expect(openSources()).toHaveLength(0);
    live.typing();
    const source = only();
    await vi.advanceTimersByTimeAsync(800);
    live.typing();
    await vi.advanceTimersByTimeAsync(800);
    expect(source.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(source.closed).toBe(true);
    live.dispose();
  });

  it("a failed send lets the stream go after the linger", async () => {
    vi.useFakeTimers();
    const live = setup(ON_DEMAND);
    only().open();
    only().emit("snapshot", snapshot(), "ep:1-0");
    await vi.advanceTimersByTimeAsync(1000);
    const ready = live.beforeSend("t_1");
    only().open();
    (await ready)();
    await vi.advanceTimersByTimeAsync(1000);
    expect(openSources()).toHaveLength(0);
    live.dispose();
  });
});
