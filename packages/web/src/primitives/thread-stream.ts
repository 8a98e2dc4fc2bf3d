import type { ChatEvent, ThreadState } from "@murmur/core/chat";
import {
  ApiError,
  closeStream,
  type EventSourceFactory,
  type FinalCloseReason,
  openEventStream,
  type StreamRequest,
  syncThread,
  type ThreadRecord,
} from "../api.ts";
import { makeRetrySchedule, type RetryScheduleOptions } from "./backoff.ts";

/**
 * - connecting: the first connection of this thread's stream is being made;
 * - live: the stream is open: events arrive as they are written;
 * - reconnecting: the connection dropped and is being made again (after a planned close
 *   at the server's `retry:`, or by our back-off for the first `OFFLINE_AFTER_MS` of failures);
 * - offline: the failures have lasted longer than that, or the browser is offline; the
 *   next try comes at `retryAt` (null: a try is under way).
 */
export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline";

/** A held stream's connection, and while failing the epoch ms of the next try. */
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
  | {
      readonly kind: "state";
      readonly threadId: string;
      readonly state: ThreadState;
      readonly cursor: string;
      /** Why a `reset` replaced the state (`trimmed`, `unknown`, `epoch`); absent for a snapshot. */
      readonly reset?: string;
    }
  | { readonly kind: "event"; readonly threadId: string; readonly event: ChatEvent; readonly cursor: string; readonly prev: string | null }
  | {
      readonly kind: "threads";
      readonly threads: readonly ThreadRecord[];
      readonly position: string | null;
      readonly next: string | null;
    }
  | { readonly kind: "thread"; readonly thread: ThreadRecord; readonly position: string | null }
  | { readonly kind: "removed"; readonly threadId: string; readonly position: string | null }
  | { readonly kind: "gone"; readonly threadId: string; readonly code: GoneCode };

/**
 * Why a thread cannot be streamed any more, as the server answered for it: `not_found`
 * (deleted, or lost with a server that keeps chats in memory only and restarted), or
 * `forbidden` (another session's: this browser's session was replaced).
 */
export type GoneCode = "not_found" | "forbidden";

/** Where a stream's frames and changes go. */
export interface ThreadStreamSink {
  frame(frame: StreamFrame): void;
  status(status: StreamStatus): void;
  /**
   * The stream is over for good; nothing reconnects it: the server ended it (`superseded`,
   * `released`, `deleted`), or the thread is gone (`gone`, after a `gone` frame).
   */
  end(reason: FinalCloseReason | "gone"): void;
}

export interface ThreadStreamOptions extends Pick<RetryScheduleOptions, "random" | "baseMs" | "capMs" | "offlineAfterMs" | "window"> {
  /** Makes the EventSource; only tests pass one. */
  readonly createSource?: EventSourceFactory;
  /** Asks the server to end a stream dropped on purpose; only tests pass one. */
  readonly release?: (threadId: string, streamId: string) => void;
  /**
   * Asks the API about the thread after the stream was refused (EventSource tells no
   * status): rejects with the ApiError that says why (404, 403; a 401 renews the session
   * and asks again, in api.ts). Only tests pass one.
   */
  readonly probe?: (threadId: string, cursor: string | null) => Promise<unknown>;
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
  /** While failing, tries again at once instead of at the back-off's time (Retry now). */
  retryNow(): void;
  /** Drops it on purpose: closes the connection and asks the server to end it. */
  close(): void;
}

/** An open stream that has sent no frame for this long counts as working: the back-off starts again. */
export const STABLE_OPEN_MS = 5000;

const defaultProbe = (threadId: string, cursor: string | null) => syncThread(threadId, cursor ?? "", null);

/**
 * Holds one thread's stream and hands its frames to `sink`; reactive-free. This is the
 * one place that opens the EventSource, so the back-off lives here. A planned close (a
 * `close` frame, then `retry:`) is left to EventSource, which resumes with
 * `Last-Event-ID` at the server's time. A connection error (the connection dropped or
 * was refused, a non-200 answer) closes it, and we open a new one resuming with
 * `?after=` the last cursor, so no event is missed or repeated, after an exponential
 * back-off with jitter (backoff.ts), which starts again once the new stream sends a
 * frame. A refused stream says no status, so we ask the API about the thread: 404 or 403
 * end the stream with a `gone` frame (a 401 on the way renews the session). `close`
 * ends it on the server too, by the id of its `opened` frame.
 */
export function makeThreadStream(
  threadId: string,
  request: StreamRequest,
  sink: ThreadStreamSink,
  options: ThreadStreamOptions = {},
): ThreadStream {
  const { createSource, release = closeStream, probe = defaultProbe } = options;
  let cursor = request.after;
  let start = request.after;
  let streamId: string | undefined;
  let closeSource: (() => void) | undefined;
  let stable: ReturnType<typeof setTimeout> | undefined;
  let planned = false; // a close frame came: the connection's end is EventSource's to resume
  let ended = false;
  const status = (next: ConnectionStatus) => sink.status({ status: next, retryAt: null });

  const drop = () => {
    clearTimeout(stable);
    closeSource?.();
    closeSource = undefined;
    streamId = undefined; // that connection is over on the server too
  };
  const retries = makeRetrySchedule({ ...options, retry: () => connect(), status: (s) => sink.status(s), lost: drop });
  /** The stream works: the next failure backs off from the start. */
  const progress = () => {
    clearTimeout(stable);
    retries.succeeded();
  };
  const gone = (code: GoneCode) => {
    ended = true;
    retries.dispose();
    sink.frame({ kind: "gone", threadId, code });
    sink.end("gone");
  };
  /** After a refusal: whether the thread is still there to stream. */
  const ask = () => {
    if (!retries.failing()) status("reconnecting");
    // A try made meanwhile (Retry now, back online) is already the next step.
    const settled = () => ended || closeSource !== undefined;
    probe(threadId, cursor).then(
      () => settled() || retries.failed(),
      (error: unknown) => {
        if (settled()) return;
        const code = error instanceof ApiError ? error.status : 0;
        if (code === 404) gone("not_found");
        else if (code === 403) gone("forbidden");
        else retries.failed();
      },
    );
  };

  const connect = (initial?: ConnectionStatus) => {
    drop();
    if (initial) status(initial);
    planned = false;
    closeSource = openEventStream(
      threadId,
      { ...request, after: cursor },
      {
        onOpen: () => {
          status("live");
          clearTimeout(stable);
          stable = setTimeout(progress, STABLE_OPEN_MS);
        },
        onOpened: (id) => {
          progress();
          streamId = id;
        },
        onError: (final) => {
          if (planned && !final) {
            planned = false;
            return status("reconnecting");
          }
          drop();
          if (final) ask();
          else retries.failed();
        },
        onState: (state, at, reset) => {
          progress();
          cursor = at;
          start ??= at;
          sink.frame({ kind: "state", threadId, state, cursor: at, ...(reset ? { reset: reset.reason } : {}) });
        },
        onEvent: (event, at) => {
          progress();
          const prev = cursor;
          cursor = at;
          sink.frame({ kind: "event", threadId, event, cursor: at, prev });
        },
        onClose: () => {
          progress();
          planned = true;
          status("reconnecting");
        },
        onEnd: (reason) => {
          ended = true;
          retries.dispose();
          clearTimeout(stable);
          // The list's own frame may have been cut off by the stream's end: the thread's end says it too.
          if (reason === "deleted") sink.frame({ kind: "removed", threadId, position: null });
          sink.end(reason);
        },
        onThreads: (threads, position, next) => {
          progress();
          sink.frame({ kind: "threads", threads, position, next });
        },
        onThreadUpdated: (thread, position) => {
          progress();
          sink.frame({ kind: "thread", thread, position });
        },
        onThreadRemoved: (removed, position) => {
          progress();
          sink.frame({ kind: "removed", threadId: removed, position });
        },
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
    retryNow: () => {
      if (!ended) retries.now();
    },
    close() {
      retries.dispose();
      const id = streamId;
      drop();
      if (id !== undefined && !ended) release(threadId, id);
      ended = true;
    },
  };
}
