import type { ChatEvent } from "@murmur/core/chat";
import { createRoot, createSignal } from "solid-js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, type StreamSettings, type SyncResult } from "../api.ts";
import { createFakeSource, FakeEventSource, openSources } from "../testing/fakes.ts";
import { OFFLINE_AFTER_MS } from "./backoff.ts";
import { createLiveThread, type ListFrame } from "./create-live-thread.ts";
import { WATCHDOG_MARGIN_MS } from "./create-reply-watchdog.ts";
import { makeStreamHub } from "./stream-hub.ts";

const base = { threadId: "t_1", at: 1 };
const created: ChatEvent = { ...base, id: "e1", type: "message.created", messageId: "m_1", role: "user", text: "hi" };
const started: ChatEvent = { ...base, id: "e2", type: "run.started", runId: "r_1", messageId: "a_1", replyTo: "m_1", agent: "demo" };
const completed: ChatEvent = { ...base, id: "e3", type: "message.completed", runId: "r_1", messageId: "a_1", text: "hello" };
const snapshot = (cursor = "ep:1-0") => ({ state: { threadId: "t_1", messages: [] }, cursor });

const ON_DEMAND: StreamSettings = { policy: "on-demand", lingerMs: 1000, idleCheckMs: 5000, runLeaseMs: 20_000 };
const ALWAYS: StreamSettings = { policy: "always", lingerMs: 1000, idleCheckMs: 5000, runLeaseMs: 20_000 };

function setup(
  settings: StreamSettings | undefined,
  sync = vi.fn(async (): Promise<SyncResult | null> => null),
  probe = vi.fn(async (): Promise<unknown> => null),
  persistent: boolean | null = null,
) {
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
      persistent: () => persistent,
      sync,
      hub: (target) =>
        makeStreamHub({ clientId: "c_1", stream: { createSource: createFakeSource, release, probe, random: () => 0.999_999 } }, target),
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

const notFound = () => Promise.reject(new ApiError(404, "not_found", "thread t_1 not found"));

describe("createLiveThread, when the server fails or forgets", () => {
  it("shows the stream's back-off (reconnecting, then offline with the next try), and Retry now reconnects at once", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const live = setup(ALWAYS);
    only().open();
    only().emit("snapshot", snapshot(), "ep:1-0");
    expect(live.status()).toBe("live");
    only().fail(false);
    expect(live.status()).toBe("reconnecting");
    expect(openSources()).toHaveLength(0);
    for (let t = 0; t < OFFLINE_AFTER_MS; t += 100) {
      await vi.advanceTimersByTimeAsync(100);
      const open = openSources()[0];
      if (open && open.readyState === 0) open.fail(false);
      if (Date.now() < OFFLINE_AFTER_MS) expect(live.status()).not.toBe("live");
    }
    expect(live.status()).toBe("offline");
    expect(live.retryAt()).toBe(15_000); // tries at 1 s, 3 s, 7 s; the next 8 s after
    live.retryNow();
    only().open();
    expect(live.status()).toBe("live");
    live.dispose();
  });

  it("a thread whose stream is refused and which the API answers 404 for is gone: no stream is opened for it again", async () => {
    vi.useFakeTimers();
    const live = setup(ALWAYS, undefined, vi.fn(notFound));
    only().fail(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(live.gone.all().get("t_1")).toBe("not_found");
    expect(live.status()).toBe("gone");
    await vi.advanceTimersByTimeAsync(60_000);
    live.setHidden(true);
    live.setHidden(false);
    expect(openSources()).toHaveLength(0);
    live.setThreadId("t_2"); // another thread streams as ever
    expect(only().url).toContain("/sse/t_2");
    live.dispose();
  });

  it("on-demand: idle checks that cannot reach the server say reconnecting, then offline with a countdown, never idle or live", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const sync = vi.fn(async (): Promise<SyncResult | null> => Promise.reject(new ApiError(0, "network", "unreachable")));
    const live = setup(ON_DEMAND, sync);
    only().open();
    only().emit("snapshot", snapshot(), "ep:1-0");
    await vi.advanceTimersByTimeAsync(1000); // the linger ends: idle
    expect(live.status()).toBe("idle");
    await vi.advanceTimersByTimeAsync(5000); // the first check fails
    expect(live.status()).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(OFFLINE_AFTER_MS);
    expect(live.status()).toBe("offline");
    expect(live.retryAt()).toBeGreaterThan(Date.now());
    expect(sync.mock.calls.length).toBeLessThanOrEqual(5); // 1 s, 2 s, 4 s… not one a second
    sync.mockResolvedValue(null);
    live.retryNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(live.status()).toBe("idle");
    expect(live.asOf()).toBe(Date.now());
    live.dispose();
  });

  it("on-demand: an idle check answered 404 marks the thread gone", async () => {
    vi.useFakeTimers();
    const live = setup(ON_DEMAND, vi.fn(notFound));
    only().open();
    only().emit("snapshot", snapshot(), "ep:1-0");
    await vi.advanceTimersByTimeAsync(6000);
    expect(live.status()).toBe("gone");
    live.dispose();
  });

  it("touches the thread when a streaming reply shows no progress for runLeaseMs and a margin, again each period, and stops once it ends", async () => {
    vi.useFakeTimers();
    const sync = vi.fn(async (): Promise<SyncResult | null> => null);
    const live = setup({ ...ALWAYS, runLeaseMs: 3000 }, sync);
    const source = only();
    source.open();
    source.emit("snapshot", snapshot(), "ep:1-0");
    source.emit("message.created", created, "ep:2-0");
    source.emit("run.started", started, "ep:3-0");
    const period = 3000 + WATCHDOG_MARGIN_MS;
    await vi.advanceTimersByTimeAsync(period - 1000);
    source.emit("message.delta", { ...base, id: "d0", type: "message.delta", runId: "r_1", messageId: "a_1", seq: 0, text: "w" }, "ep:4-0");
    await vi.advanceTimersByTimeAsync(period - 1);
    expect(sync).not.toHaveBeenCalled(); // progress re-armed it
    await vi.advanceTimersByTimeAsync(1);
    expect(sync).toHaveBeenCalledWith("t_1", "ep:4-0", "p1");
    await vi.advanceTimersByTimeAsync(period);
    expect(sync).toHaveBeenCalledTimes(2); // a writer still alive (lease renewed): ask again later
    source.emit(
      "message.failed",
      { ...base, id: "f", type: "message.failed", runId: "r_1", messageId: "a_1", reason: "gone", retryable: true, kind: "abandoned" },
      "ep:5-0",
    );
    await vi.advanceTimersByTimeAsync(period * 3);
    expect(sync).toHaveBeenCalledTimes(2);
    live.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a reset for another epoch from a server without persistence means it restarted: the chat is gone; with persistence it is just replaced", () => {
    const epoch = { reason: "epoch", state: { threadId: "t_1", messages: [] }, cursor: "ep2:0-0" };
    const memory = setup(ALWAYS, undefined, undefined, false);
    only().open();
    only().emit("snapshot", snapshot(), "ep:1-0");
    only().emit("reset", epoch, "ep2:0-0");
    expect(memory.status()).toBe("gone");
    expect(openSources()).toHaveLength(0);
    memory.dispose();

    const redis = setup(ALWAYS, undefined, undefined, true);
    only().open();
    only().emit("reset", epoch, "ep2:0-0");
    expect(redis.status()).toBe("live");
    expect(redis.store()?.cursor()).toBe("ep2:0-0");
    redis.dispose();
  });
});
