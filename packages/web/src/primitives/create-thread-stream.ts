import { type Accessor, createEffect, createMemo, createSignal, on, onCleanup } from "solid-js";
import { type EventSourceFactory, openEventStream } from "../api.ts";
import { createThreadStore, type ThreadStore } from "../store/thread-store.ts";

/**
 * - connecting: the first connection of this thread's stream is being made;
 * - live: events arrive as they are written;
 * - reconnecting: the connection dropped and is being made again (by EventSource, or by us);
 * - offline: EventSource gave up; we reopen it after a back-off delay.
 */
export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline";

export interface ThreadStreamOptions {
  /** Makes the EventSource; only tests pass one. */
  readonly createSource?: EventSourceFactory;
  /** First delay before reopening a stream EventSource gave up on; doubles per failure. */
  readonly minRetryMs?: number;
  /** Longest delay between reopen attempts. */
  readonly maxRetryMs?: number;
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
  const { createSource, minRetryMs = 1000, maxRetryMs = 30_000 } = options;
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
          const delay = Math.min(maxRetryMs, minRetryMs * 2 ** failures++);
          timer = setTimeout(() => connect("reconnecting"), delay);
        },
        onState: (state, cursor) => store.replace(state, cursor),
        onEvent: (event, cursor) => store.apply(event, cursor),
        onClose: () => onStatus("reconnecting"),
      },
      createSource,
    );
  };

  connect("connecting");
  return () => {
    clearTimeout(timer);
    close?.();
  };
}

/**
 * The stream of the active thread: a fresh store and one EventSource per thread id,
 * closed when the id changes or the owner is disposed. No thread: no stream, "offline".
 */
export function createThreadStream(
  threadId: Accessor<string | undefined>,
  options: ThreadStreamOptions = {},
): { store: Accessor<ThreadStore | undefined>; status: Accessor<ConnectionStatus> } {
  const [status, setStatus] = createSignal<ConnectionStatus>("offline");
  // The id is memoized first, so an accessor re-running with the same id keeps the stream.
  const id = createMemo(threadId);
  const store = createMemo(() => {
    const current = id();
    return current === undefined ? undefined : createThreadStore(current);
  });
  // `on` tracks the store alone: the cursor the stream reads must not reopen it.
  createEffect(
    on(store, (current) => {
      if (!current) return setStatus("offline");
      onCleanup(makeThreadStream(current, setStatus, options));
    }),
  );
  return { store, status };
}
