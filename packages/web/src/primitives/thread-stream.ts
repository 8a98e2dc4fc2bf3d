import type { ChatEvent, ThreadState } from "@murmur/core/chat";
import {
  closeStream,
  type EventSourceFactory,
  type FinalCloseReason,
  openEventStream,
  type StreamRequest,
  type ThreadRecord,
} from "../api.ts";

/**
 * - connecting: the first connection of this thread's stream is being made;
 * - live: events arrive as they are written;
 * - reconnecting: the connection dropped and is being made again (by EventSource, or by us);
 * - offline: EventSource gave up; we reopen it after a back-off delay (see `retryAt`).
 */
export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline";

/** A held stream's connection, and while offline the epoch ms of the next reopen. */
export interface StreamStatus {
  readonly status: ConnectionStatus;
  readonly retryAt: number | null;
}

/**
 * One frame of a stream, as plain data (tabs pass them to each other). An event carries
 * `prev`, the cursor the stream stood at before it, so a tab can tell that it follows
 * on from what its store holds (else it has a gap, or it is a repeat).
 */
export type StreamFrame =
  | { readonly kind: "state"; readonly threadId: string; readonly state: ThreadState; readonly cursor: string }
  | { readonly kind: "event"; readonly threadId: string; readonly event: ChatEvent; readonly cursor: string; readonly prev: string | null }
  | {
      readonly kind: "threads";
      readonly threads: readonly ThreadRecord[];
      readonly position: string | null;
      readonly next: string | null;
    }
  | { readonly kind: "thread"; readonly thread: ThreadRecord; readonly position: string | null }
  | { readonly kind: "removed"; readonly threadId: string; readonly position: string | null };

/** Where a stream's frames and changes go. */
export interface ThreadStreamSink {
  frame(frame: StreamFrame): void;
  status(status: StreamStatus): void;
  /** The server ended the stream for good (`superseded`, `released`, `deleted`); nothing reconnects it. */
  end(reason: FinalCloseReason): void;
}

export interface ThreadStreamOptions {
  /** Makes the EventSource; only tests pass one. */
  readonly createSource?: EventSourceFactory;
  /** Asks the server to end a stream dropped on purpose; only tests pass one. */
  readonly release?: (threadId: string, streamId: string) => void;
  /** First delay before reopening a stream EventSource gave up on; doubles per failure. */
  readonly minRetryMs?: number;
  /** Longest delay between reopen attempts. */
  readonly maxRetryMs?: number;
  /** 0 <= x < 1; each delay is drawn from [half, all] of the back-off (jitter). Tests pass a constant. */
  readonly random?: () => number;
}

/** One held stream. */
export interface ThreadStream {
  readonly threadId: string;
  /** Whether it carries the caller's thread list. */
  readonly threads: boolean;
  /** The cursor of the last frame received: what a reopen resumes after. */
  cursor(): string | null;
  /** Where it started: the `after` it was opened with, else its snapshot's cursor (null until that comes). */
  start(): string | null;
  /** Drops it on purpose: closes the connection and asks the server to end it. */
  close(): void;
}

/**
 * Holds one thread's stream and hands its frames to `sink`; reactive-free. While the
 * connection drops and comes back, EventSource resumes by itself with `Last-Event-ID`.
 * When it gives up (a non-200 answer: server restarting, log unavailable), we open a new
 * one after a back-off, resuming with `?after=` the last cursor, so no event is missed
 * or repeated. `close` ends it on the server too, by the id of its `opened` frame.
 */
export function makeThreadStream(
  threadId: string,
  request: StreamRequest,
  sink: ThreadStreamSink,
  options: ThreadStreamOptions = {},
): ThreadStream {
  const { createSource, release = closeStream, minRetryMs = 1000, maxRetryMs = 30_000, random = Math.random } = options;
  let cursor = request.after;
  let start = request.after;
  let streamId: string | undefined;
  let closeSource: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let ended = false;
  const status = (next: ConnectionStatus, retryAt: number | null = null) => sink.status({ status: next, retryAt });

  const connect = (initial: ConnectionStatus) => {
    status(initial);
    streamId = undefined;
    closeSource = openEventStream(
      threadId,
      { ...request, after: cursor },
      {
        onOpen: () => {
          failures = 0;
          status("live");
        },
        onOpened: (id) => {
          streamId = id;
        },
        onError: (final) => {
          if (!final) return status("reconnecting");
          closeSource?.();
          streamId = undefined; // that connection is over on the server too
          // Jitter spreads the tabs a restart disconnected, so they do not all come back at once.
          const backoff = Math.min(maxRetryMs, minRetryMs * 2 ** failures++);
          const delay = Math.round(backoff / 2 + (backoff / 2) * random());
          status("offline", Date.now() + delay);
          timer = setTimeout(() => connect("reconnecting"), delay);
        },
        onState: (state, at) => {
          cursor = at;
          start ??= at;
          sink.frame({ kind: "state", threadId, state, cursor: at });
        },
        onEvent: (event, at) => {
          const prev = cursor;
          cursor = at;
          sink.frame({ kind: "event", threadId, event, cursor: at, prev });
        },
        onClose: () => status("reconnecting"),
        onEnd: (reason) => {
          ended = true;
          // The list's own frame may have been cut off by the stream's end: the thread's end says it too.
          if (reason === "deleted") sink.frame({ kind: "removed", threadId, position: null });
          sink.end(reason);
        },
        onThreads: (threads, position, next) => sink.frame({ kind: "threads", threads, position, next }),
        onThreadUpdated: (thread, position) => sink.frame({ kind: "thread", thread, position }),
        onThreadRemoved: (removed, position) => sink.frame({ kind: "removed", threadId: removed, position }),
      },
      createSource,
    );
  };

  connect(cursor === null ? "connecting" : "reconnecting");
  return {
    threadId,
    threads: request.threads === true,
    cursor: () => cursor,
    start: () => start,
    close() {
      clearTimeout(timer);
      closeSource?.();
      if (streamId !== undefined && !ended) release(threadId, streamId);
      ended = true;
    },
  };
}
