import type { ChatEvent } from "@murmur/core/chat";
import { createRoot } from "solid-js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api.ts";
import { createThreadStore, type ThreadStore } from "../store/thread-store.ts";
import { createFakeSource, FakeEventSource, FakeTabs, openSources } from "../testing/fakes.ts";
import { createStreamHub, type HubTarget, makeStreamHub, type StreamHub } from "./stream-hub.ts";
import type { StreamFrame, StreamStatus } from "./thread-stream.ts";

const base = { threadId: "t_1", at: 1 };
const created: ChatEvent = { ...base, id: "e1", type: "message.created", messageId: "m_1", role: "user", text: "hi" };
const started: ChatEvent = { ...base, id: "e2", type: "run.started", runId: "r_1", messageId: "a_1", replyTo: "m_1", agent: "demo" };
const delta = (seq: number): ChatEvent => ({
  ...base,
  id: `d${seq}`,
  type: "message.delta",
  runId: "r_1",
  messageId: "a_1",
  seq,
  text: `w${seq} `,
});
const empty = { state: { threadId: "t_1", messages: [] }, cursor: "ep:1-0" };

/** One tab: its stores (one per thread it shows), what it applied, and its hub. */
interface Tab {
  name: string;
  stores: Map<string, ThreadStore>;
  applied: StreamFrame[];
  held: ReadonlyMap<string, StreamStatus>;
  hub: StreamHub;
  release: ReturnType<typeof vi.fn<(threadId: string, streamId: string) => void>>;
  show(threadId: string): void;
  text(threadId?: string): string;
}

function makeTab(name: string, tabs: FakeTabs | null): Tab {
  const tab = { name, stores: new Map(), applied: [], held: new Map() } as unknown as Tab;
  const target: HubTarget = {
    cursor: (threadId) => {
      const store = tab.stores.get(threadId);
      return store ? store.cursor() : undefined;
    },
    apply: (frame) => {
      tab.applied.push(frame);
      if (frame.kind === "state") tab.stores.get(frame.threadId)?.replace(frame.state, frame.cursor);
      if (frame.kind === "event") tab.stores.get(frame.threadId)?.apply(frame.event, frame.cursor);
    },
    held: (held) => {
      tab.held = held;
    },
  };
  tab.release = vi.fn();
  tab.hub = makeStreamHub(
    {
      clientId: "c_browser",
      tabId: name,
      channel: tabs?.channel(name),
      locks: tabs?.locks(name),
      settleMs: 100,
      stream: {
        createSource: (url) => Object.assign(createFakeSource(url), { tab: name }),
        release: tab.release,
        probe: async () => (probeAnswer ? Promise.reject(probeAnswer) : null),
        random: () => 0.999_999,
      },
    },
    target,
  );
  tab.show = (threadId) => {
    tab.stores.set(threadId, createThreadStore(threadId));
    tab.hub.need([threadId]);
  };
  tab.text = (threadId = "t_1") =>
    tab.stores
      .get(threadId)
      ?.state()
      .messages.map((m) => m.text)
      .join("|") ?? "";
  return tab;
}

/** Feeds the one open stream of a thread as the server would: events numbered on from `from`. */
function feed(source: FakeEventSource, events: ChatEvent[], from: number) {
  for (const [i, event] of events.entries()) source.emit(event.type, event, `ep:${from + i}-0`);
}
const streamOf = (threadId = "t_1") => {
  const open = openSources().filter((s) => s.url.includes(`/sse/${threadId}`));
  expect(open).toHaveLength(1);
  return open[0] as FakeEventSource & { tab: string };
};
const deltasApplied = (tab: Tab) =>
  tab.applied.flatMap((f) => (f.kind === "event" && f.event.type === "message.delta" ? [f.event.seq] : []));

let tabs: FakeTabs;
/** What the API answers a refused stream's question about its thread (see ThreadStreamOptions.probe): null, the thread is there. */
let probeAnswer: ApiError | null = null;
beforeEach(() => {
  FakeEventSource.all = [];
  tabs = new FakeTabs();
  probeAnswer = null;
});
afterEach(() => {
  vi.useRealTimers();
});

describe("makeStreamHub", () => {
  it("alone (no Web Locks or BroadcastChannel): holds what the tab needs, with the list, and releases what it drops", () => {
    const tab = makeTab("a", null);
    tab.show("t_1");
    const source = streamOf("t_1");
    expect(source.url).toBe("/api/chats/sse/t_1?threads=1&client=c_browser");
    source.open();
    source.emit("opened", { streamId: "st_1" });
    source.emit("snapshot", empty, "ep:1-0");
    feed(source, [created], 2);
    source.emit("threads", { threads: [], position: "p1" });
    expect(tab.text()).toBe("hi");
    expect(tab.applied.map((f) => f.kind)).toEqual(["state", "event", "threads"]);
    expect(tab.held.get("t_1")?.status).toBe("live");

    tab.hub.need([]);
    expect(source.closed).toBe(true);
    expect(tab.release).toHaveBeenCalledWith("t_1", "st_1");
    expect(tab.held.size).toBe(0);
    tab.hub.dispose();
  });

  it("three tabs on one thread: one stream, every tab applies every frame once", async () => {
    const all = ["a", "b", "c"].map((name) => makeTab(name, tabs));
    for (const tab of all) tab.show("t_1");
    await tabs.settle();
    expect(tabs.holder("murmur:leader")).toBe("a");
    const source = streamOf("t_1");
    expect(source.tab).toBe("a");
    source.open();
    source.emit("snapshot", empty, "ep:1-0");
    feed(source, [created, started, delta(0), delta(1)], 2);
    await tabs.settle();
    // The followers joined before the snapshot came: still one stream, and no reopen.
    expect(FakeEventSource.all).toHaveLength(1);
    for (const tab of all) {
      expect(tab.text()).toBe("hi|w0 w1 ");
      expect(deltasApplied(tab)).toEqual([0, 1]);
      expect(tab.held.get("t_1")?.status).toBe("live");
    }
    for (const tab of all) tab.hub.dispose();
    expect(openSources()).toHaveLength(0);
  });

  it("when the leader's tab dies mid-reply, the next tab takes over and resumes from its cursor: no gap, no repeat", async () => {
    const all = ["a", "b", "c"].map((name) => makeTab(name, tabs));
    for (const tab of all) tab.show("t_1");
    await tabs.settle();
    const first = streamOf("t_1");
    first.open();
    first.emit("snapshot", empty, "ep:1-0");
    feed(first, [created, started, delta(0)], 2);
    await tabs.settle();

    tabs.crash("a"); // no pagehide, no goodbye: only its locks tell
    await tabs.settle();
    expect(tabs.holder("murmur:leader")).toBe("b");
    await vi.waitFor(() => expect(openSources().filter((s) => s !== first)).toHaveLength(1));
    const second = openSources().find((s) => s !== first) as FakeEventSource & { tab: string };
    expect(second.tab).toBe("b");
    expect(second.url).toBe("/api/chats/sse/t_1?after=ep%3A4-0&threads=1&client=c_browser");
    second.open();
    feed(second, [delta(1), delta(2)], 5);
    await tabs.settle();
    for (const tab of all.slice(1)) {
      expect(tab.text()).toBe("hi|w0 w1 w2 ");
      expect(deltasApplied(tab)).toEqual([0, 1, 2]);
    }
  });

  it("a tab that stands behind a frame asks again from its own cursor; tabs ahead skip the repeats", async () => {
    const [a, b] = ["a", "b"].map((name) => makeTab(name, tabs)) as [Tab, Tab];
    a.show("t_1");
    await tabs.settle();
    const first = streamOf();
    first.open();
    first.emit("snapshot", empty, "ep:1-0");
    feed(first, [created, started], 2);
    await tabs.settle();
    // b keeps a store of t_1 that missed the last event (it was loaded from an older stream).
    b.stores.set("t_1", createThreadStore("t_1"));
    b.stores.get("t_1")?.replace(empty.state, "ep:1-0");
    b.stores.get("t_1")?.apply(created, "ep:2-0");
    await tabs.settle();
    feed(first, [delta(0)], 4);
    await tabs.settle();
    expect(b.text()).toBe("hi"); // the gap was not papered over
    const again = openSources().find((s) => s !== first) as FakeEventSource;
    expect(first.closed).toBe(true);
    expect(again.url).toContain("after=ep%3A2-0");
    again.open();
    feed(again, [started, delta(0), delta(1)], 3);
    await tabs.settle();
    expect(b.text()).toBe("hi|w0 w1 ");
    expect(a.text()).toBe("hi|w0 w1 ");
    expect(deltasApplied(a)).toEqual([0, 1]);
    expect(deltasApplied(b)).toEqual([0, 1]);
  });

  it("a tab that starts needing a held thread with nothing loaded gets a snapshot; every tab takes it", async () => {
    const [a, b] = ["a", "b"].map((name) => makeTab(name, tabs)) as [Tab, Tab];
    a.show("t_1");
    await tabs.settle();
    const first = streamOf();
    first.open();
    first.emit("snapshot", empty, "ep:1-0");
    feed(first, [created], 2);
    b.show("t_1");
    await tabs.settle();
    expect(first.closed).toBe(true);
    const again = streamOf();
    expect(again.url).toBe("/api/chats/sse/t_1?threads=1&client=c_browser");
    again.emit("snapshot", { state: { threadId: "t_1", messages: [] }, cursor: "ep:2-0" }, "ep:2-0");
    feed(again, [created], 3);
    await tabs.settle();
    expect(b.text()).toBe("hi");
    expect(a.text()).toBe("hi");
  });

  it("holds one stream per thread any tab needs, the list on one of them, and moves the list when that one goes", async () => {
    const [a, b] = ["a", "b"].map((name) => makeTab(name, tabs)) as [Tab, Tab];
    a.show("t_1");
    b.show("t_2");
    await tabs.settle();
    expect(openSources().map((s) => s.url)).toEqual([
      "/api/chats/sse/t_1?threads=1&client=c_browser",
      "/api/chats/sse/t_2?client=c_browser",
    ]);
    expect(b.held.size).toBe(2);
    a.hub.need([]);
    await tabs.settle();
    expect(openSources().map((s) => s.url)).toEqual(["/api/chats/sse/t_2?threads=1&client=c_browser"]);
    const list = streamOf("t_2");
    list.emit("threads", { threads: [], position: "p9" });
    await tabs.settle();
    // Every tab keeps its list live, whichever stream carries it.
    for (const tab of [a, b]) expect(tab.applied.at(-1)).toEqual({ kind: "threads", threads: [], position: "p9", next: null });
  });

  it("notices a follower that died without a word (its lock comes free) and drops what only it needed", async () => {
    const [a, b] = ["a", "b"].map((name) => makeTab(name, tabs)) as [Tab, Tab];
    a.show("t_1");
    b.show("t_2");
    await tabs.settle();
    const t2 = streamOf("t_2");
    t2.emit("opened", { streamId: "st_2" });
    tabs.crash("b");
    await tabs.settle();
    expect(t2.closed).toBe(true);
    expect(a.release).toHaveBeenCalledWith("t_2", "st_2");
    expect(openSources().map((s) => s.url)).toEqual(["/api/chats/sse/t_1?threads=1&client=c_browser"]);
  });

  it("on pagehide ends the leader's streams on the server and hands the lead on; a restored page joins again", async () => {
    const [a, b] = ["a", "b"].map((name) => makeTab(name, tabs)) as [Tab, Tab];
    a.show("t_1");
    b.show("t_1");
    await tabs.settle();
    const first = streamOf();
    first.open();
    first.emit("opened", { streamId: "st_1" });
    first.emit("snapshot", empty, "ep:1-0");
    await tabs.settle();
    window.dispatchEvent(new Event("pagehide")); // both fake tabs share this window: both leave
    expect(first.closed).toBe(true);
    expect(a.release).toHaveBeenCalledWith("t_1", "st_1");
    await tabs.settle();
    expect(openSources()).toHaveLength(0);
    expect(tabs.holder("murmur:leader")).toBeUndefined();
    window.dispatchEvent(Object.assign(new Event("pageshow"), { persisted: true }));
    await tabs.settle();
    expect(tabs.holder("murmur:leader")).toBeDefined();
    await vi.waitFor(() => expect(openSources()).toHaveLength(1));
    expect(openSources()[0]?.url).toContain("after=ep%3A1-0");
    a.hub.dispose();
    b.hub.dispose();
  });

  it("createStreamHub ends with its owner", async () => {
    const target: HubTarget = { cursor: () => null, apply: () => {}, held: () => {} };
    const dispose = createRoot((dispose) => {
      createStreamHub({ clientId: "c_1", stream: { createSource: createFakeSource, release: () => {} } }, target).need(["t_1"]);
      return dispose;
    });
    expect(openSources()).toHaveLength(1);
    dispose();
    expect(openSources()).toHaveLength(0);
  });

  it("every tab shows the leader's connection as it is (the back-off's next try too), and Retry now in a follower reaches the leader", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const [a, b] = ["a", "b"].map((name) => makeTab(name, tabs)) as [Tab, Tab];
    a.show("t_1");
    b.show("t_1");
    await tabs.settle();
    const first = streamOf();
    first.open();
    first.emit("snapshot", empty, "ep:1-0");
    await tabs.settle();
    first.fail(false); // the server went away
    await tabs.settle();
    expect(b.held.get("t_1")).toEqual({ status: "reconnecting", retryAt: 1000 });
    expect(openSources()).toHaveLength(0);
    b.hub.retryNow("t_1");
    await tabs.settle();
    expect(openSources()).toHaveLength(1); // at once, not after the back-off
    expect(b.held.get("t_1")).toEqual({ status: "reconnecting", retryAt: null });
    streamOf().open();
    await tabs.settle();
    expect(b.held.get("t_1")?.status).toBe("live");
    for (const tab of [a, b]) tab.hub.dispose();
  });

  it("a thread found gone is told to every tab, and no tab's need opens it again", async () => {
    const [a, b] = ["a", "b"].map((name) => makeTab(name, tabs)) as [Tab, Tab];
    a.show("t_1");
    b.show("t_1");
    await tabs.settle();
    probeAnswer = new ApiError(404, "not_found", "thread t_1 not found");
    streamOf().fail(true); // refused (404): EventSource tells no status, the API does
    await vi.waitFor(() => expect(a.applied.at(-1)).toEqual({ kind: "gone", threadId: "t_1", code: "not_found" }));
    await tabs.settle();
    expect(b.applied.at(-1)).toEqual({ kind: "gone", threadId: "t_1", code: "not_found" });
    expect(b.held.size).toBe(0);
    b.hub.need(["t_1"]);
    a.hub.need(["t_1"]);
    await tabs.settle();
    expect(openSources()).toHaveLength(0);
    for (const tab of [a, b]) tab.hub.dispose();
  });
});
