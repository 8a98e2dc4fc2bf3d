import { newId } from "@murmur/core/chat";
import { type Accessor, createEffect, createMemo, createSignal, on, onCleanup, untrack } from "solid-js";
import { ApiError, type StreamSettings, syncThread } from "../api.ts";
import { browserClientId } from "../client-id.ts";
import { createGoneThreads, type GoneThreads } from "../store/gone-threads.ts";
import { createThreadStore, type ThreadStore } from "../store/thread-store.ts";
import type { RetryStatus } from "./backoff.ts";
import { createIdleCheck, type IdleCheck } from "./create-idle-check.ts";
import { createReplyWatchdog } from "./create-reply-watchdog.ts";
import { type Linger, makeLinger } from "./linger.ts";
import { browserTabs, type HubTarget, makeStreamHub, type StreamHub } from "./stream-hub.ts";
import type { ConnectionStatus, StreamFrame, StreamStatus } from "./thread-stream.ts";

/**
 * What the status pill says about the open thread: a held stream's connection, or
 * - paused: the tab has been hidden a while, so it holds nothing until shown;
 * - idle: on-demand and nothing to stream, so nothing is held; `asOf` says since when it
 *   is known current (while its checks fail: reconnecting, then offline, as a stream);
 * - gone: the server no longer has the thread for this session (see `gone`).
 */
export type LiveStatus = ConnectionStatus | "paused" | "idle" | "gone";

/** A frame of the thread list: its first page, one changed record, or a thread deleted. */
export type ListFrame = Extract<StreamFrame, { kind: "threads" | "thread" | "removed" }>;

export interface LiveThreadOptions {
  /** The session's stream settings; undefined until the session is ready, and nothing is held before. */
  readonly settings: Accessor<StreamSettings | undefined>;
  /** True once the tab has been hidden a while: it then needs no stream. */
  readonly hidden: Accessor<boolean>;
  /** Where the thread list the tab shows stands (sent with idle checks). */
  readonly position: Accessor<string | null>;
  readonly onList: (frame: ListFrame) => void;
  /** Makes the hub; tests pass one over fakes. */
  readonly hub?: (target: HubTarget) => StreamHub;
  /**
   * Whether the server keeps chats across restarts (the session's `persistent`): without,
   * a `reset` for another epoch means the process restarted and the thread's history is gone.
   */
  readonly persistent?: Accessor<boolean | null>;
  /** Where threads found gone are recorded (the app reads it too); a fresh record by default. */
  readonly gone?: GoneThreads;
  /** The idle check and the watchdog's touch; tests pass a fake. */
  readonly sync?: typeof syncThread;
}

export interface LiveThread {
  readonly store: Accessor<ThreadStore | undefined>;
  readonly status: Accessor<LiveStatus>;
  /** While failing, the epoch ms of the next try (null: one is under way, or nothing fails). */
  readonly retryAt: Accessor<number | null>;
  /** Threads the server answered 404 or 403 for (see GoneThreads): none of them is streamed again. */
  readonly gone: GoneThreads;
  /** While failing, tries the open thread's stream (or idle check) again at once. */
  retryNow(): void;
  /** When the open thread was last proved current while idle: an idle check, or a stream closing while live. */
  readonly asOf: Accessor<number | null>;
  /** A keystroke in the composer (on-demand: the person is typing, so the stream is held). */
  typing(): void;
  /**
   * Call before posting a send: holds the thread's stream and resolves once it is live
   * (or after a bound: the stream resumes from the store's cursor, so nothing falls
   * between either way). Call what it resolves to with the message id once the send was
   * accepted (the stream is held until its reply starts), or with nothing when it failed.
   */
  beforeSend(threadId: string): Promise<(messageId?: string) => void>;
}

/** Longest a send waits for its stream to open. */
const OPEN_WAIT_MS = 3000;
/** Longest an accepted send holds the stream before its reply starts (the reply then holds it). */
const AWAIT_REPLY_MS = 30_000;

/**
 * The open thread, live as the session's stream policy says: a fresh store per thread id,
 * fed by this browser's one stream hub. `always`: the thread's stream is needed while
 * the tab is not hidden long. `on-demand`: it is needed while a reply streams, while the
 * person types, while a send is on its way, and `lingerMs` after; an idle tab holds
 * nothing and runs the idle check every `idleCheckMs` (and on focus, and when shown),
 * and a change it finds opens the stream after the store's cursor to catch up, which
 * then lingers and closes. Under either policy a reply that streams with no progress for
 * the session's `runLeaseMs` (and a margin) makes the tab touch the thread, which ends it
 * if its writer went away (create-reply-watchdog.ts). A thread the server answers 404 or
 * 403 for (its stream, a check) is `gone`, and no stream of it is needed again.
 */
export function createLiveThread(threadId: Accessor<string | undefined>, options: LiveThreadOptions): LiveThread {
  const sync = options.sync ?? syncThread;
  const [held, setHeld] = createSignal<ReadonlyMap<string, StreamStatus>>(new Map());
  const [asOf, setAsOf] = createSignal<number | null>(null);
  const [demand, setDemand] = createSignal(false);
  const [checkFailure, setCheckFailure] = createSignal<RetryStatus | null>(null);
  const gone = options.gone ?? createGoneThreads();
  // The id is memoized first, so an accessor re-running with the same id keeps the store.
  const id = createMemo(threadId);
  const store = createMemo(() => {
    const current = id();
    return current === undefined ? undefined : createThreadStore(current);
  });

  const waiters = new Set<() => void>();
  const target: HubTarget = {
    cursor: (thread) =>
      untrack(() => {
        const s = store();
        return s?.threadId === thread ? s.cursor() : undefined;
      }),
    apply: (frame) => {
      if (frame.kind === "gone") return gone.mark(frame.threadId, frame.code);
      if (frame.kind === "threads" || frame.kind === "thread" || frame.kind === "removed") return options.onList(frame);
      const s = untrack(store);
      if (s?.threadId !== frame.threadId) return;
      if (frame.kind === "state" && frame.reset === "epoch" && untrack(() => options.persistent?.()) === false)
        gone.mark(s.threadId, "not_found");
      if (frame.kind === "state") s.replace(frame.state, frame.cursor);
      else s.apply(frame.event, frame.cursor);
    },
    held: (next) => {
      setHeld(next);
      for (const wake of [...waiters]) wake();
    },
  };
  const tabs = options.hub ? null : browserTabs();
  // Without other tabs to share with, a client id of its own: tabs that cannot coordinate must not supersede each other.
  const hub = options.hub?.(target) ?? makeStreamHub({ clientId: tabs ? browserClientId() : newId("c"), ...tabs }, target);
  onCleanup(() => {
    hub.dispose();
    for (const wake of [...waiters]) wake();
  });

  const heldStatus = (s: ThreadStore | undefined) => (s ? held().get(s.threadId) : undefined);
  let demandOf: { store: ThreadStore; linger: Linger; wake(): void; awaitReply(messageId: string, reason: string): void } | undefined;

  createEffect(
    on([store, options.settings], ([s, settings]) => {
      demandOf = undefined;
      setDemand(false);
      setAsOf(null);
      if (!s || !settings) return;
      if (settings.policy === "always") return setDemand(true);
      const linger = makeLinger(settings.lingerMs, setDemand);
      const awaiting = new Map<string, { reason: string; timer: ReturnType<typeof setTimeout> }>();
      const answered = (messageId: string) => {
        const wait = awaiting.get(messageId);
        if (!wait) return;
        clearTimeout(wait.timer);
        awaiting.delete(messageId);
        linger.release(wait.reason);
      };
      // A wake (the first sight of the thread, or an idle check that found a change) lasts
      // until the stream is live and the store loaded; the linger then lets it catch up.
      const settleWake = () => {
        if (heldStatus(s)?.status === "live" && s.cursor() !== null) linger.release("wake");
      };
      const wake = () => {
        linger.hold("wake");
        untrack(settleWake);
      };
      demandOf = {
        store: s,
        linger,
        wake,
        awaitReply(messageId, reason) {
          awaiting.set(messageId, { reason, timer: setTimeout(() => answered(messageId), AWAIT_REPLY_MS) });
          untrack(() => s.state().messages.some((m) => m.replyTo === messageId) && answered(messageId));
        },
      };
      onCleanup(() => {
        linger.dispose();
        for (const wait of awaiting.values()) clearTimeout(wait.timer);
      });
      if (untrack(s.cursor) === null) wake();
      createEffect(settleWake);
      // A streaming reply holds the stream; its end starts the linger.
      createEffect(() => {
        const messages = s.state().messages;
        if (messages.some((m) => m.role === "assistant" && m.status === "streaming")) linger.hold("reply");
        else linger.release("reply");
        for (const messageId of [...awaiting.keys()]) if (messages.some((m) => m.replyTo === messageId)) answered(messageId);
      });
    }),
  );

  const isGone = (s: ThreadStore | undefined) => s !== undefined && gone.all().has(s.threadId);
  createEffect(() => {
    const s = store();
    hub.need(s && options.settings() && demand() && !options.hidden() && !isGone(s) ? [s.threadId] : []);
  });

  // A stream that closes while live proves the thread current up to then.
  createEffect(
    on(
      () => [store(), heldStatus(store())?.status] as const,
      ([s, now], previous) => {
        if (previous?.[0] === s && previous?.[1] === "live" && now === undefined) setAsOf(Date.now());
      },
    ),
  );

  const idle = createMemo(() => {
    const s = store();
    return (
      s !== undefined &&
      options.settings()?.policy === "on-demand" &&
      !demand() &&
      !held().has(s.threadId) &&
      !options.hidden() &&
      !isGone(s)
    );
  });
  /**
   * Asks the server whether the thread moved past the store (which also ends a reply
   * whose writer went away). Resolves false when the server could not be reached, so the
   * idle check backs off; a 404 or 403 marks the thread gone.
   */
  const check = (s: ThreadStore): Promise<boolean> | undefined => {
    const cursor = untrack(s.cursor);
    if (cursor === null) return void demandOf?.wake();
    return sync(s.threadId, cursor, untrack(options.position)).then(
      (changed) => {
        if (untrack(store) !== s) return true;
        if (changed === null) setAsOf(Date.now());
        else if (demandOf?.store === s) demandOf.wake();
        return true;
      },
      (error: unknown) => {
        const status = error instanceof ApiError ? error.status : 0;
        if (status === 404) gone.mark(s.threadId, "not_found");
        if (status === 403) gone.mark(s.threadId, "forbidden");
        // Unreachable, overloaded or failing: that proves nothing, and the next check backs off.
        return !(status === 0 || status === 429 || status >= 500);
      },
    );
  };
  let idleCheck: IdleCheck | undefined;
  createEffect(
    on([idle, store], ([isIdle, s]) => {
      const settings = untrack(options.settings);
      setCheckFailure(null);
      idleCheck = undefined;
      if (isIdle && s && settings) idleCheck = createIdleCheck(settings.idleCheckMs, () => check(s), { onStatus: setCheckFailure });
    }),
  );

  // A reply that stalls as long as its lease is touched, in a tab that shows it.
  createReplyWatchdog(
    () => store()?.state().messages ?? [],
    () => options.settings()?.runLeaseMs,
    () => !options.hidden() && !isGone(store()),
    () => {
      const s = untrack(store);
      if (s) void check(s);
    },
  );

  const whenLive = (thread: string) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(poll);
        resolve();
      };
      const poll = () => {
        if (untrack(held).get(thread)?.status === "live") done();
      };
      const timer = setTimeout(done, OPEN_WAIT_MS);
      waiters.add(poll);
      poll();
    });

  let sends = 0;
  return {
    store,
    status: () => {
      const s = store();
      if (!s) return "offline";
      if (isGone(s)) return "gone";
      const h = heldStatus(s);
      if (h) return h.status;
      if (options.hidden()) return "paused";
      if (options.settings()?.policy === "on-demand" && !demand()) return checkFailure()?.status ?? "idle";
      return s.cursor() === null ? "connecting" : "reconnecting";
    },
    retryAt: () => {
      const h = heldStatus(store());
      return h ? h.retryAt : idle() ? (checkFailure()?.retryAt ?? null) : null;
    },
    asOf,
    gone,
    retryNow: () => {
      const s = untrack(store);
      if (!s) return;
      if (untrack(held).has(s.threadId)) hub.retryNow(s.threadId);
      else idleCheck?.now();
    },
    typing: () => demandOf?.linger.pulse(),
    async beforeSend(thread) {
      const current = demandOf?.store.threadId === thread ? demandOf : undefined;
      const reason = `send:${++sends}`;
      current?.linger.hold(reason);
      await whenLive(thread);
      return (messageId) => {
        if (!current) return;
        if (messageId === undefined) current.linger.release(reason);
        else current.awaitReply(messageId, reason);
      };
    },
  };
}
