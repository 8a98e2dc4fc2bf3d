import { type Accessor, createEffect, createMemo, createSignal, on, onCleanup } from "solid-js";
import { type EventSourceFactory, openEventStream, type ThreadRecord } from "../api.ts";
import { createThreadStore, type ThreadStore } from "../store/thread-store.ts";

/**
 * - connecting: the first connection of this thread's stream is being made;
 * - live: events arrive as they are written;
 * - reconnecting: the connection dropped and is being made again (by EventSource, or by us);
 * - offline: EventSource gave up; we reopen it after a back-off delay (see `retryAt`);
 * - paused: the tab has been hidden a while, so the stream is closed until it is shown.
 */
export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline" | "paused";

export interface ThreadStreamOptions {
  /** Makes the EventSource; only tests pass one. */
  readonly createSource?: EventSourceFactory;
  /** First delay before reopening a stream EventSource gave up on; doubles per failure. */
  readonly minRetryMs?: number;
  /** Longest delay between reopen attempts. */
  readonly maxRetryMs?: number;
  /** 0 <= x < 1; each delay is drawn from [half, all] of the back-off (jitter). Tests pass a constant. */
  readonly random?: () => number;
  /** Called with the epoch ms of the next reopen attempt, and null once it is made. */
  readonly onRetryAt?: (at: number | null) => void;
  /** Given: the stream also carries the caller's thread list, whole on each connection. */
  readonly onThreads?: (threads: ThreadRecord[]) => void;
  /** Each change to one of the caller's threads; needs `onThreads`. */
  readonly onThreadUpdated?: (thread: ThreadRecord) => void;
}

/**
 * Keeps one thread's stream open and feeds `store`; reactive-free. While the connection
 * drops and comes back, EventSource resumes by itself with `Last-Event-ID`. When it gives
 * up (a non-200 answer: server restarting, log unavailable), we open a new one after a
 * back-off, resuming with `?after=` the store's cursor, so no event is missed or repeated.
 * @returns a function that closes the stream and cancels a pending reopen.
 */
export function makeThreadStream(
  store: ThreadStore,
  onStatus: (status: ConnectionStatus) => void,
  options: ThreadStreamOptions = {},
): () => void {
  const { createSource, minRetryMs = 1000, maxRetryMs = 30_000, random = Math.random, onRetryAt, onThreads, onThreadUpdated } = options;
  let close: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;

  const connect = (status: ConnectionStatus) => {
    onStatus(status);
    close = openEventStream(
      store.threadId,
      store.cursor(),
      {
        onOpen: () => {
          failures = 0;
          onStatus("live");
        },
        onError: (final) => {
          if (!final) return onStatus("reconnecting");
          close?.();
          onStatus("offline");
          // Jitter spreads the tabs a restart disconnected, so they do not all come back at once.
          const backoff = Math.min(maxRetryMs, minRetryMs * 2 ** failures++);
          const delay = Math.round(backoff / 2 + (backoff / 2) * random());
          onRetryAt?.(Date.now() + delay);
          timer = setTimeout(() => {
            onRetryAt?.(null);
            connect("reconnecting");
          }, delay);
        },
        onState: (state, cursor) => store.replace(state, cursor),
        onEvent: (event, cursor) => store.apply(event, cursor),
        onClose: () => onStatus("reconnecting"),
        onThreads,
        onThreadUpdated,
      },
      createSource,
    );
  };

  connect(store.cursor() === null ? "connecting" : "reconnecting");
  return () => {
    clearTimeout(timer);
    close?.();
  };
}

/**
 * The stream of the active thread: a fresh store and one EventSource per thread id,
 * closed when the id changes or the owner is disposed. No thread: no stream, "offline".
 * While `paused()` is true the stream is closed; it resumes from the store's cursor.
 */
export function createThreadStream(
  threadId: Accessor<string | undefined>,
  options: ThreadStreamOptions & { readonly paused?: Accessor<boolean> } = {},
): { store: Accessor<ThreadStore | undefined>; status: Accessor<ConnectionStatus>; retryAt: Accessor<number | null> } {
  const [status, setStatus] = createSignal<ConnectionStatus>("offline");
  const [retryAt, setRetryAt] = createSignal<number | null>(null);
  const paused = createMemo(options.paused ?? (() => false));
  // The id is memoized first, so an accessor re-running with the same id keeps the stream.
  const id = createMemo(threadId);
  const store = createMemo(() => {
    const current = id();
    return current === undefined ? undefined : createThreadStore(current);
  });
  // `on` tracks the store and the pause alone: the cursor the stream reads must not reopen it.
  createEffect(
    on([store, paused], ([current, isPaused]) => {
      setRetryAt(null);
      if (!current) return setStatus("offline");
      if (isPaused) return setStatus("paused");
      onCleanup(makeThreadStream(current, setStatus, { ...options, onRetryAt: setRetryAt }));
    }),
  );
  return { store, status, retryAt };
}
