import { compareWireCursors, newId } from "@murmur/core/chat";
import { onCleanup } from "solid-js";
import { type LocksLike, makeLock } from "./tab-lock.ts";
import { makeThreadStream, type StreamFrame, type StreamStatus, type ThreadStream, type ThreadStreamOptions } from "./thread-stream.ts";

/** The part of BroadcastChannel used here; tests pass a fake. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  close(): void;
}

/** What a hub does with frames, in the tab it runs in. */
export interface HubTarget {
  /** Where this tab's store of the thread stands; undefined when it keeps none (that thread's frames are not applied). */
  cursor(threadId: string): string | null | undefined;
  /** Applies a frame to this tab's stores; called in order, after gaps and repeats were dealt with. */
  apply(frame: StreamFrame): void;
  /** The streams held for this browser, by whichever tab leads, and how each connection stands. */
  held(held: ReadonlyMap<string, StreamStatus>): void;
}

export interface StreamHubOptions {
  /** Sent as `?client=` on every stream. */
  readonly clientId: string;
  /** With `locks`, the tabs of the origin share one leader's streams over it. Either missing: this tab works alone. */
  readonly channel?: ChannelLike | null;
  readonly locks?: LocksLike | null;
  /** This tab's id among the others; a fresh one by default. */
  readonly tabId?: string;
  /** How long a new leader waits for the other tabs to say where their stores stand before it opens streams. */
  readonly settleMs?: number;
  readonly stream?: ThreadStreamOptions;
  /** Where `pagehide` and `pageshow` are heard. */
  readonly window?: Pick<Window, "addEventListener" | "removeEventListener">;
}

/** One browser's streams, shared by its tabs. */
export interface StreamHub {
  /** The threads this tab needs a stream of now; the whole set, replacing the last one. */
  need(threadIds: readonly string[]): void;
  /** A thread's failing stream tries again at once (Retry now), in whichever tab holds it. */
  retryNow(threadId: string): void;
  /** Closes this tab's part: its streams (ended on the server too) and its place among the tabs. */
  dispose(): void;
}

interface Need {
  readonly threadId: string;
  readonly cursor: string | null;
}

/** What tabs tell each other. `gen` names the stream instance a frame came from. */
type TabMessage =
  | { readonly t: "needs"; readonly from: string; readonly needs: readonly Need[] }
  | { readonly t: "bye"; readonly from: string }
  | { readonly t: "leader"; readonly from: string }
  | { readonly t: "held"; readonly from: string; readonly held: Readonly<Record<string, StreamStatus>> }
  | { readonly t: "frame"; readonly gen: number; readonly frame: StreamFrame }
  | { readonly t: "retry"; readonly threadId: string }
  | { readonly t: "resync"; readonly threadId: string; readonly cursor: string | null; readonly gen: number };

const LEADER_LOCK = "murmur:leader";
const tabLock = (tabId: string) => `murmur:tab:${tabId}`;

/** The cursor that serves every needer: the oldest, or none (a snapshot) when one has none. */
function oldest(cursors: readonly (string | null)[]): string | null {
  let found: string | null | undefined;
  for (const cursor of cursors) {
    if (cursor === null) return null;
    if (found === undefined || found === null || compareWireCursors(cursor, found) < 0) found = cursor;
  }
  return found ?? null;
}

/**
 * One stream per thread per browser, not per tab; reactive-free. The tabs of an origin
 * elect a leader with a Web Lock; the others tell it over a BroadcastChannel which
 * threads they need. The leader holds one stream per thread that any tab needs (the
 * thread list rides on one of them), applies each frame itself and relays it, with the
 * cursor before it, to every tab, which applies it to its own stores. A tab whose store
 * does not stand where a frame follows on from asks for the stream again from its own
 * cursor (a repeat it already holds is skipped), so no tab misses or doubles an event.
 * When the leader goes, the next tab in line gets the lock at once, asks every tab where
 * its stores stand, and opens each stream after the oldest of those cursors. A tab that
 * goes away says so (`pagehide`); one that dies silently is noticed through its own lock.
 * Connection states (and the back-off's next try) are the leader's, relayed as they
 * change, so every tab shows the same; Retry now in any tab reaches the leader. A thread
 * found gone (404, 403) is never opened again by this hub.
 * Without Web Locks or BroadcastChannel the tab leads itself alone.
 */
export function makeStreamHub(options: StreamHubOptions, target: HubTarget): StreamHub {
  const { clientId, tabId = newId("tab"), settleMs = 300, stream: streamOptions, window: win = globalThis.window } = options;
  const shared = options.channel && options.locks ? { channel: options.channel, locks: options.locks } : null;
  if (!shared) options.channel?.close();
  let own: readonly string[] = [];
  const needs = new Map<string, readonly Need[]>(); // by tab, this one included
  const streams = new Map<string, { gen: number; status: StreamStatus; stream?: ThreadStream }>();
  const watches = new Map<string, () => void>(); // the leader's waits on other tabs' locks
  const resynced = new Map<string, number>(); // the stream instance a gap was already reported for
  const gone = new Set<string>(); // threads the server no longer has for this session
  let gen = 0;
  let running = false;
  let announced = false;
  let leading = false;
  let leaderId: string | undefined;
  let awaiting: Set<string> | null = null;
  let settleTimer: ReturnType<typeof setTimeout> | undefined;
  let letGo: (() => void)[] = [];

  const post = (message: TabMessage) => {
    if (announced) shared?.channel.postMessage(message);
  };
  const ownNeeds = (): Need[] => own.map((threadId) => ({ threadId, cursor: target.cursor(threadId) ?? null }));

  const deliver = (frame: StreamFrame, frameGen: number) => {
    if (frame.kind === "gone") gone.add(frame.threadId);
    if (frame.kind === "threads" || frame.kind === "thread" || frame.kind === "removed" || frame.kind === "gone")
      return target.apply(frame);
    const at = target.cursor(frame.threadId);
    if (at === undefined) return;
    if (frame.kind === "state" || at === frame.prev) return target.apply(frame);
    if (at !== null && compareWireCursors(at, frame.cursor) >= 0) return; // held already: a repeat
    if (resynced.get(frame.threadId) === frameGen) return; // asked once for this stream instance
    resynced.set(frame.threadId, frameGen);
    if (leading) resync(frame.threadId, at, frameGen);
    else post({ t: "resync", threadId: frame.threadId, cursor: at, gen: frameGen });
  };

  const publish = () => {
    const held = new Map([...streams].map(([threadId, entry]) => [threadId, entry.status]));
    target.held(held);
    post({ t: "held", from: tabId, held: Object.fromEntries(held) });
  };

  const open = (threadId: string, after: string | null, threads: boolean) => {
    streams.get(threadId)?.stream?.close();
    const entry: { gen: number; status: StreamStatus; stream?: ThreadStream } = {
      gen: ++gen,
      status: { status: after === null ? "connecting" : "reconnecting", retryAt: null },
    };
    streams.set(threadId, entry);
    entry.stream = makeThreadStream(
      threadId,
      { after, threads, client: clientId },
      {
        frame: (frame) => {
          post({ t: "frame", gen: entry.gen, frame });
          deliver(frame, entry.gen);
        },
        status: (status) => {
          entry.status = status;
          if (streams.get(threadId) === entry) publish();
        },
        // Superseded (another stream of this browser has the thread), released, or the thread is gone: not ours any more.
        end: () => {
          if (streams.get(threadId) !== entry) return;
          streams.delete(threadId);
          publish();
        },
      },
      streamOptions,
    );
  };

  const close = (threadId: string) => {
    streams.get(threadId)?.stream?.close();
    streams.delete(threadId);
  };

  /** Whether a tab standing at `cursor` would miss something from this stream's start. */
  const before = (stream: ThreadStream, cursor: string | null) => {
    const start = stream.start();
    if (start === null) return false; // its snapshot is still to come, and serves every tab
    return cursor === null || !(compareWireCursors(cursor, start) >= 0);
  };

  const reconcile = () => {
    if (!leading || awaiting) return;
    const wanted = new Map<string, (string | null)[]>();
    for (const list of needs.values())
      for (const n of list) if (!gone.has(n.threadId)) wanted.set(n.threadId, [...(wanted.get(n.threadId) ?? []), n.cursor]);
    for (const threadId of streams.keys()) if (!wanted.has(threadId)) close(threadId);
    // The thread list rides on one stream: the one that has it, else one this tab needs, else any.
    const carrier =
      [...streams.values()].find((entry) => entry.stream?.threads)?.stream?.threadId ??
      [...own, ...wanted.keys()].find((id) => wanted.has(id));
    for (const [threadId, cursors] of wanted) {
      const entry = streams.get(threadId);
      if (!entry?.stream) open(threadId, oldest(cursors), threadId === carrier);
      else if (threadId === carrier && !entry.stream.threads) open(threadId, entry.stream.cursor(), true);
    }
    publish();
  };

  const resync = (threadId: string, cursor: string | null, frameGen: number) => {
    const entry = streams.get(threadId);
    if (leading && entry?.stream && entry.gen === frameGen) open(threadId, cursor, entry.stream.threads);
  };

  const forget = (tab: string) => {
    needs.delete(tab);
    watches.get(tab)?.();
    watches.delete(tab);
  };

  const watch = (tab: string) => {
    if (!shared || tab === tabId || watches.has(tab)) return;
    // Every tab holds its own lock while it lives: being granted it means the tab is gone.
    watches.set(
      tab,
      makeLock(shared.locks, tabLock(tab), () => {
        forget(tab);
        reconcile();
      }),
    );
  };

  const update = (from: string, next: readonly Need[]) => {
    const had = new Set((needs.get(from) ?? []).map((n) => n.threadId));
    needs.set(from, next);
    if (!leading) return;
    if (awaiting) {
      awaiting.delete(from);
      if (awaiting.size === 0) settle();
      return;
    }
    watch(from);
    for (const n of next) {
      const entry = streams.get(n.threadId);
      // A tab that starts needing a held stream may stand before where it started: serve it from there.
      if (entry?.stream && !had.has(n.threadId) && before(entry.stream, n.cursor)) open(n.threadId, n.cursor, entry.stream.threads);
    }
    reconcile();
  };

  const settle = () => {
    clearTimeout(settleTimer);
    awaiting = null;
    for (const tab of needs.keys()) watch(tab);
    reconcile();
  };

  const lead = () => {
    leading = true;
    leaderId = tabId;
    // Every other tab says again what it needs, with where its stores stand now; a tab that does not answer is gone.
    awaiting = new Set([...needs.keys()].filter((tab) => tab !== tabId));
    for (const tab of awaiting) needs.delete(tab);
    needs.set(tabId, ownNeeds());
    post({ t: "leader", from: tabId });
    if (awaiting.size === 0) settle();
    else settleTimer = setTimeout(settle, settleMs);
  };

  const onMessage = (event: MessageEvent) => {
    const message = event.data as TabMessage;
    switch (message.t) {
      case "needs":
        return update(message.from, message.needs);
      case "bye":
        forget(message.from);
        if (message.from === leaderId && !leading) {
          leaderId = undefined;
          target.held(new Map());
        }
        return reconcile();
      case "leader":
        leaderId = message.from;
        needs.set(tabId, ownNeeds());
        return post({ t: "needs", from: tabId, needs: needs.get(tabId) ?? [] });
      case "held":
        leaderId = message.from;
        if (!leading) target.held(new Map(Object.entries(message.held)));
        return;
      case "frame":
        return deliver(message.frame, message.gen);
      case "resync":
        return resync(message.threadId, message.cursor, message.gen);
      case "retry":
        return leading ? streams.get(message.threadId)?.stream?.retryNow() : undefined;
    }
  };

  const start = () => {
    if (running) return;
    running = true;
    const alone = () => {
      leading = true;
      update(tabId, ownNeeds());
    };
    if (!shared) return alone();
    // This tab's own lock first, so that no leader can take it for a sign that the tab is gone.
    letGo.push(
      makeLock(
        shared.locks,
        tabLock(tabId),
        () => {
          announced = true;
          post({ t: "needs", from: tabId, needs: ownNeeds() });
          letGo.push(makeLock(shared.locks, LEADER_LOCK, lead, alone));
        },
        alone, // a browser that refuses Web Locks here: this tab works alone
      ),
    );
  };

  const stop = () => {
    if (!running) return;
    running = false;
    for (const threadId of [...streams.keys()]) close(threadId);
    post({ t: "bye", from: tabId });
    for (const release of [...letGo, ...watches.values()]) release();
    letGo = [];
    watches.clear();
    needs.clear();
    clearTimeout(settleTimer);
    awaiting = null;
    leading = false;
    announced = false;
    leaderId = undefined;
    target.held(new Map());
  };

  // Leaving the page ends this tab's streams at once (on the server too) and hands the lead on;
  // a page restored from the back/forward cache joins again.
  const onPageHide = () => stop();
  const onPageShow = (event: Event) => {
    if ((event as PageTransitionEvent).persisted) start();
  };
  shared?.channel.addEventListener("message", onMessage);
  win?.addEventListener("pagehide", onPageHide);
  win?.addEventListener("pageshow", onPageShow);
  start();

  return {
    need(threadIds) {
      own = threadIds;
      if (!running) return;
      const list = ownNeeds();
      post({ t: "needs", from: tabId, needs: list });
      update(tabId, list);
    },
    retryNow(threadId) {
      if (leading) streams.get(threadId)?.stream?.retryNow();
      else post({ t: "retry", threadId });
    },
    dispose() {
      stop();
      win?.removeEventListener("pagehide", onPageHide);
      win?.removeEventListener("pageshow", onPageShow);
      shared?.channel.removeEventListener("message", onMessage);
      shared?.channel.close();
    },
  };
}

/** The tabs of this origin, when the browser can coordinate them: a BroadcastChannel and Web Locks. */
export function browserTabs(): { channel: ChannelLike; locks: LocksLike } | null {
  if (typeof BroadcastChannel !== "function" || typeof navigator === "undefined" || !navigator.locks) return null;
  return { channel: new BroadcastChannel("murmur"), locks: navigator.locks as unknown as LocksLike };
}

/** {@link makeStreamHub} for the owner's lifetime. */
export function createStreamHub(options: StreamHubOptions, target: HubTarget): StreamHub {
  const hub = makeStreamHub(options, target);
  onCleanup(hub.dispose);
  return hub;
}
