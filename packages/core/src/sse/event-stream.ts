import { UnavailableError } from "../errors/index.ts";
import type { EventLog, LoggedEvent, ResetReason } from "../event-log/event-log.ts";
import { FeedResetError } from "../event-log/hub.ts";
import { encodeComment, encodeFrame } from "./encode.ts";
import { announceStream, beginStreamControl, type StreamControl } from "./stream-control.ts";
import { readableStreamSink, type StreamSink } from "./stream-sink.ts";
import { sharedTicker } from "./ticker.ts";

/** Settings of one live stream. */
export interface EventStreamOptions {
  readonly log: EventLog;
  readonly threadId: string;
  /** Resume after this cursor; null sends a `snapshot` first. Validated by the caller. */
  readonly after: string | null;
  /** A `: ping` comment at least this often (I4). */
  readonly heartbeatMs: number;
  /** Planned close after this long (0: never), with `retry:` so the client resumes losslessly. */
  readonly maxDurationMs: number;
  /** Reconnection delay sent to the client in `retry:`. */
  readonly retryMs: number;
  /**
   * Pad each write with an SSE comment up to this many bytes (0: no padding). Some
   * proxies and Lambda's response stream hold small writes back; padding pushes them out.
   */
  readonly padToBytes?: number;
  /**
   * Also carry this owner's thread list: a `threads` frame (`{ threads }`) first, then a
   * `thread.updated` frame (the record) per change. These frames have no `id:`: they are
   * state, not log events, and a reconnect gets the whole list again.
   */
  readonly owner?: string;
  /**
   * Which browser this stream serves: once it watches its browser's control channel, the
   * stream sends `opened` (with its id) and announces itself, which ends the browser's
   * older stream of the thread; it ends, with a `close` of reason `superseded` or
   * `released`, when a newer stream of that browser takes the thread over or the
   * browser releases it.
   */
  readonly control?: StreamControl;
  /** Called once when the stream ends, for whatever reason. */
  readonly onClose?: () => void;
}

/** A stream in progress. */
export interface EventStream {
  /** Ends it now, without a `close` frame (the client went away). Idempotent. */
  close(): void;
}

/** Why the server ends a stream on purpose (the `close` frame's `reason`). */
export type CloseReason = "planned" | "error" | "superseded" | "released";

const encoder = new TextEncoder();

// A frame is encoded once per logged event and its bytes shared by every stream that
// sends it: adapters hand the same LoggedEvent object to all tails of a thread, so a
// reply watched by a thousand tabs is stringified once, not a thousand times.
const frames = new WeakMap<LoggedEvent, Uint8Array>();

function eventFrame(logged: LoggedEvent): Uint8Array {
  let bytes = frames.get(logged);
  if (!bytes) {
    bytes = encoder.encode(encodeFrame({ id: logged.cursor, event: logged.event.type, data: JSON.stringify(logged.event) }));
    frames.set(logged, bytes);
  }
  return bytes;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * The body of `GET /api/chats/sse/:threadId`, written to `sink`: `retry:`, then a
 * `snapshot` (no cursor) or the replay after the cursor, then every new event as it is
 * appended, each frame with `id:` = its cursor. An unusable cursor gets a `reset` with a
 * fresh snapshot (I2). Errors that a reconnect can fix are sent in-band as a `close`
 * event with reason `error`, never as an HTTP status, because EventSource gives up on
 * any non-200. A controlled stream (see `control`) also ends with `close` reason
 * `superseded` or `released`, after which the browser does not reconnect it.
 *
 * Per connection this holds a listener of the thread's one feed (see
 * `EventLog.subscribe`: no async chain per stream), two entries in the process's timer
 * wheel (heartbeat, planned close) and the sink; each event's frame is encoded once
 * for every stream that sends it.
 */
export function startEventStream(options: EventStreamOptions, sink: StreamSink): EventStream {
  const abort = new AbortController();
  // The wheel's resolution: a quarter of the shortest period it times, at most a second.
  const shortest = Math.min(options.heartbeatMs, options.maxDurationMs > 0 ? options.maxDurationMs : Number.POSITIVE_INFINITY);
  const ticker = sharedTicker(Math.min(1000, Math.max(10, Math.floor(shortest / 4))));
  let closed = false;
  let unsubscribe: (() => void) | null = null;
  let cancelPing = () => {};
  let cancelClose = () => {};
  let lastWrite = 0;
  let cursor: string | null = options.after;

  const pad = options.padToBytes ?? 0;
  // Padded streams (Lambda) gather what is written in one turn of the event loop (a
  // connection's first frames, a batch and a list change) into one write, padded once:
  // each padded write costs 16 KB of CloudFront egress. Unpadded streams write at once.
  let pending: Uint8Array[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    let bytes = pending.length === 1 ? (pending[0] as Uint8Array) : concat(pending);
    pending = [];
    if (bytes.length < pad) bytes = concat([bytes, encoder.encode(encodeComment(" ".repeat(Math.max(0, pad - bytes.length - 4))))]);
    sink.write(bytes);
  };
  const write = (chunk: string | Uint8Array) => {
    if (closed) return;
    lastWrite = Date.now();
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    if (pad === 0) return sink.write(bytes);
    if (pending.push(bytes) === 1) setTimeout(flush, 0);
  };

  const finish = (last?: { reason: CloseReason; message?: string }) => {
    if (closed) return;
    if (last) write(encodeFrame({ event: "close", data: JSON.stringify(last), retry: options.retryMs }));
    flush();
    closed = true;
    abort.abort();
    unsubscribe?.();
    cancelPing();
    cancelClose();
    sink.end();
    options.onClose?.();
  };

  // A heartbeat is owed only when nothing else went out for an interval (I4). The wheel
  // checks every `resolution`: asking that much early keeps the gap within the interval.
  const schedulePing = () => {
    const due = lastWrite + options.heartbeatMs - ticker.resolutionMs;
    cancelPing = ticker.at(due, () => {
      if (closed) return;
      if (Date.now() >= lastWrite + options.heartbeatMs - ticker.resolutionMs) write(encodeComment("ping"));
      schedulePing();
    });
  };

  const sendSnapshot = async (event: "snapshot" | "reset", reason?: ResetReason) => {
    const snap = await options.log.snapshot(options.threadId);
    write(
      encodeFrame({ id: snap.cursor, event, data: JSON.stringify(reason ? { reason, state: snap.state, cursor: snap.cursor } : snap) }),
    );
    return snap.cursor;
  };

  const writeEvents = (events: readonly LoggedEvent[]) => {
    write(events.length === 1 ? eventFrame(events[0] as LoggedEvent) : concat(events.map(eventFrame)));
    cursor = (events.at(-1) as LoggedEvent).cursor;
  };

  const follow = (from: string) => {
    if (closed) return;
    unsubscribe = options.log.subscribe(options.threadId, from, {
      events: writeEvents,
      reset: (reason) => {
        unsubscribe = null;
        sendSnapshot("reset", reason).then(follow, fail);
      },
      end: (error) => {
        unsubscribe = null;
        // The feed was reset while this stream caught up: follow again from where it is.
        if (error instanceof FeedResetError) return follow(cursor as string);
        // The log closed (the server is stopping): the client resumes elsewhere.
        if (error === undefined) return finish({ reason: "planned" });
        fail(error);
      },
    });
  };

  const pumpThreads = async (owner: string) => {
    for await (const item of options.log.watchThreads(owner, abort.signal)) {
      if (item.kind === "list") {
        write(encodeFrame({ event: "threads", data: JSON.stringify({ threads: item.threads, position: item.position }) }));
      } else write(encodeFrame({ event: "thread.updated", data: JSON.stringify({ thread: item.thread, position: item.position }) }));
    }
  };

  const control = async (settings: StreamControl) => {
    const { ended } = await beginStreamControl(options.log, settings, abort.signal);
    write(encodeFrame({ event: "opened", data: JSON.stringify({ streamId: settings.streamId }) }));
    await announceStream(options.log, settings).catch(() => {}); // unreachable: the stream reports it itself
    const end = await ended;
    if (end) finish({ reason: end });
  };

  function fail(error: unknown) {
    const message = error instanceof UnavailableError ? error.message : "stream failed";
    finish({ reason: "error", message });
  }

  sink.onClose(() => finish());
  write(encodeFrame({ retry: options.retryMs }));
  schedulePing();
  if (options.maxDurationMs > 0) cancelClose = ticker.at(Date.now() + options.maxDurationMs, () => finish({ reason: "planned" }));
  if (options.control) void control(options.control);
  if (cursor !== null) follow(cursor);
  else sendSnapshot("snapshot").then(follow, fail);
  if (options.owner !== undefined) pumpThreads(options.owner).catch(fail);
  return { close: () => finish() };
}

/** {@link startEventStream} as a Web `ReadableStream` (the Lambda entry's response body, and tests). */
export function openEventStream(options: EventStreamOptions): ReadableStream<Uint8Array> {
  const { stream, sink } = readableStreamSink();
  startEventStream(options, sink);
  return stream;
}
