import { NotFoundError, UnavailableError } from "../errors/index.ts";
import type { EventLog, LoggedEvent, ResetReason, ThreadListener } from "../event-log/event-log.ts";
import { FeedResetError } from "../event-log/hub.ts";
import { type Metrics, noopMetrics } from "../metrics/metrics.ts";
import { encodeComment, encodeFrame } from "./encode.ts";
import { announceStream, beginStreamControl, type StreamControl } from "./stream-control.ts";
import { type StreamInstruments, type StreamMode, streamInstruments } from "./stream-metrics.ts";
import { readableStreamSink, type StreamSink } from "./stream-sink.ts";
import { sharedTicker, type Tickable, type Ticker, type TickHandle } from "./ticker.ts";

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
  /**
   * The most bytes queued for a client that is not reading (default 1 MB): past it the
   * stream ends with a `close` of reason `slow_client`, and the connection is dropped if
   * the client still does not take it; the client resumes from its cursor when it reads
   * again. One slow client never delays the others (the feed writes to each synchronously
   * and never waits) and costs the server at most this much.
   */
  readonly maxBufferedBytes?: number;
  /**
   * Where the stream counts itself: open and closed (by reason), frames, resumes, resets,
   * and each live batch's append-to-write latency (default: nowhere).
   */
  readonly metrics?: Metrics;
  /** Called once when the stream ends, for whatever reason: `reason` is its `close` frame's, or `client_gone`. */
  readonly onClose?: (reason: CloseReason | "client_gone") => void;
}

/** A stream in progress. */
export interface EventStream {
  /** Ends it now, without a `close` frame (the client went away). Idempotent. */
  close(): void;
}

/** Why the server ends a stream on purpose (the `close` frame's `reason`). */
/** `deleted`: the thread was deleted (final, like `superseded` and `released`). */
export type CloseReason = "planned" | "error" | "superseded" | "released" | "deleted" | "slow_client";

/** A slow client's queue limit by default. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
/** How long a slow client gets to take its `close` frame before its connection is dropped. */
const SLOW_CLIENT_GRACE_MS = 5_000;

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
 */
export function startEventStream(options: EventStreamOptions, sink: StreamSink): EventStream {
  return new HeldStream(options, sink);
}

/**
 * One held stream. A class, not a nest of closures: its methods live once on the
 * prototype, so a connection costs this one object and what it points to (the thread's
 * feed listener is the stream itself, its timers one entry in the process's wheel),
 * where closures each cost a function object, and with the server's name-keeping
 * transform a property dictionary too (measured: about 3.6 KB a connection).
 */
class HeldStream implements EventStream, ThreadListener, Tickable {
  private closed = false;
  /** Set as `finish` begins: its own `close` frame must not start another finish. */
  private finishing = false;
  private unsubscribe: (() => void) | null = null;
  private tickHandle: TickHandle = null;
  private lastWrite = 0;
  private readonly closeAt: number;
  private cursor: string | null;
  private pending: Uint8Array[] | null = null;
  /** Only for the follows that are async loops (the thread list, the control channel). */
  private abort: AbortController | null = null;
  private readonly ticker: Ticker;
  private readonly instruments: StreamInstruments;
  private readonly mode: StreamMode;
  /** Padded streams only: when the feed received each batch still waiting in `pending`. */
  private pendingReceived: number[] | null = null;

  constructor(
    private readonly options: EventStreamOptions,
    private readonly sink: StreamSink,
  ) {
    this.cursor = options.after;
    // The wheel's resolution: a quarter of the shortest period it times, at most 100 ms, so
    // 10,000 streams' heartbeats go out a few hundred per tick rather than thousands at once.
    const shortest = Math.min(options.heartbeatMs, options.maxDurationMs > 0 ? options.maxDurationMs : Number.POSITIVE_INFINITY);
    this.ticker = sharedTicker(Math.min(100, Math.max(10, Math.floor(shortest / 4))));
    this.closeAt = options.maxDurationMs > 0 ? Date.now() + options.maxDurationMs : Number.POSITIVE_INFINITY;
    this.instruments = streamInstruments(options.metrics ?? noopMetrics);
    this.mode = options.owner !== undefined ? "thread_list" : "thread";
    this.instruments.open[this.mode].inc();
    this.instruments.opened[this.mode].inc();
    if (options.after !== null) this.instruments.resumes.inc();
    sink.onClose(this);
    this.write(encodeFrame({ retry: options.retryMs }));
    this.schedule();
    if (options.control || options.owner !== undefined) this.abort = new AbortController();
    if (options.control) void this.control(options.control);
    if (this.cursor !== null) this.follow(this.cursor);
    else
      this.sendSnapshot("snapshot").then(
        (cursor) => this.follow(cursor),
        (error: unknown) => this.fail(error),
      );
    if (options.owner !== undefined) this.pumpThreads(options.owner).catch((error: unknown) => this.fail(error));
  }

  /** The client went away (the sink's close). */
  close(): void {
    this.finish();
  }

  // --- the thread's feed (ThreadListener) ---

  events(events: readonly LoggedEvent[], receivedAt?: number): void {
    this.write(events.length === 1 ? eventFrame(events[0] as LoggedEvent) : concat(events.map(eventFrame)));
    this.cursor = (events.at(-1) as LoggedEvent).cursor;
    if (this.closed) return;
    this.instruments.frames.inc(events.length);
    // One clock read per batch per stream, only when something records it (measured: about
    // 45 ns a frame at 1,000 streams, against 160 to 290 ns for the fan-out without it).
    if (receivedAt === undefined || !this.instruments.timed) return;
    // Written now (unpadded), or at the flush that gathers this turn's writes (padded).
    if (!this.pending) this.instruments.latency.observe((performance.now() - receivedAt) / 1000);
    else if (this.pendingReceived) this.pendingReceived.push(receivedAt);
    else this.pendingReceived = [receivedAt];
  }

  reset(reason: ResetReason): void {
    this.instruments.reset(reason).inc();
    this.unsubscribe = null;
    this.sendSnapshot("reset", reason).then(
      (cursor) => this.follow(cursor),
      (error: unknown) => this.fail(error),
    );
  }

  end(error?: unknown): void {
    this.unsubscribe = null;
    // The feed was reset while this stream caught up: follow again from where it is.
    if (error instanceof FeedResetError) this.follow(this.cursor as string);
    // The log closed (the server is stopping): the client resumes elsewhere.
    else if (error === undefined) this.finish({ reason: "planned" });
    // The thread was deleted (the feed's end, or a catch-up that found it gone): for good.
    else if (error instanceof NotFoundError) this.finish({ reason: "deleted" });
    else this.fail(error);
  }

  // --- the wheel (Tickable): the heartbeat and the planned close ---

  tick(): void {
    this.tickHandle = null;
    if (this.closed) return;
    const now = Date.now();
    if (now >= this.closeAt) {
      this.finish({ reason: "planned" });
      return;
    }
    // A heartbeat is owed only when nothing else went out for an interval (I4); the wheel
    // checks every `resolution`, so asking that much early keeps the gap within it.
    if (now >= this.lastWrite + this.options.heartbeatMs - this.ticker.resolutionMs) this.write(PING);
    this.schedule();
  }

  private schedule(): void {
    const ping = (this.lastWrite || Date.now()) + this.options.heartbeatMs - this.ticker.resolutionMs;
    this.tickHandle = this.ticker.at(Math.min(ping, this.closeAt), this);
  }

  // --- writing ---

  private write(chunk: string | Uint8Array): void {
    if (this.closed) return;
    this.lastWrite = Date.now();
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    if (!this.options.padToBytes) {
      this.send(bytes);
      return;
    }
    // Padded streams (Lambda) gather what is written in one turn of the event loop (a
    // connection's first frames, a batch and a list change) into one write, padded once:
    // each padded write costs 16 KB of CloudFront egress.
    if (this.pending) {
      this.pending.push(bytes);
      return;
    }
    this.pending = [bytes];
    setTimeout(() => this.flush(), 0);
  }

  private flush(): void {
    const pending = this.pending;
    this.pending = null;
    if (!pending || pending.length === 0) return;
    const pad = this.options.padToBytes ?? 0;
    let bytes = pending.length === 1 ? (pending[0] as Uint8Array) : concat(pending);
    if (bytes.length < pad) bytes = concat([bytes, encoder.encode(encodeComment(" ".repeat(Math.max(0, pad - bytes.length - 4))))]);
    this.send(bytes);
    const received = this.pendingReceived;
    this.pendingReceived = null;
    if (received) {
      const now = performance.now();
      for (const at of received) this.instruments.latency.observe((now - at) / 1000);
    }
  }

  /** Hands bytes to the sink; a client that let more than the bound pile up is let go. */
  private send(bytes: Uint8Array): void {
    this.sink.write(bytes);
    if (this.finishing || this.sink.buffered() <= (this.options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES)) return;
    this.finish({ reason: "slow_client" });
    const sink = this.sink;
    setTimeout(() => sink.abort(), SLOW_CLIENT_GRACE_MS).unref?.();
  }

  private finish(last?: { reason: CloseReason; message?: string }): void {
    if (this.closed || this.finishing) return;
    this.finishing = true;
    if (last) this.write(encodeFrame({ event: "close", data: JSON.stringify(last), retry: this.options.retryMs }));
    this.flush();
    this.closed = true;
    this.abort?.abort();
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.ticker.cancel(this.tickHandle);
    this.sink.end();
    const reason = last?.reason ?? "client_gone";
    this.instruments.open[this.mode].dec();
    this.instruments.closed(reason).inc();
    this.options.onClose?.(reason);
  }

  private fail(error: unknown): void {
    const message = error instanceof UnavailableError ? error.message : "stream failed";
    this.finish({ reason: "error", message });
  }

  // --- what the stream follows ---

  private follow(from: string): void {
    if (!this.closed) this.unsubscribe = this.options.log.subscribe(this.options.threadId, from, this);
  }

  private async sendSnapshot(event: "snapshot" | "reset", reason?: ResetReason): Promise<string> {
    const snap = await this.options.log.snapshot(this.options.threadId);
    const data = reason ? { reason, state: snap.state, cursor: snap.cursor } : snap;
    this.write(encodeFrame({ id: snap.cursor, event, data: JSON.stringify(data) }));
    return snap.cursor;
  }

  private async pumpThreads(owner: string): Promise<void> {
    for await (const item of this.options.log.watchThreads(owner, (this.abort as AbortController).signal)) {
      if (item.kind === "list") {
        const list = { threads: item.threads, position: item.position, next: item.next };
        this.write(encodeFrame({ event: "threads", data: JSON.stringify(list) }));
      } else if (item.kind === "removed") {
        this.write(encodeFrame({ event: "thread.removed", data: JSON.stringify({ threadId: item.threadId, position: item.position }) }));
      } else this.write(encodeFrame({ event: "thread.updated", data: JSON.stringify({ thread: item.thread, position: item.position }) }));
    }
  }

  private async control(settings: StreamControl): Promise<void> {
    const { ended } = await beginStreamControl(this.options.log, settings, (this.abort as AbortController).signal);
    this.write(encodeFrame({ event: "opened", data: JSON.stringify({ streamId: settings.streamId }) }));
    await announceStream(this.options.log, settings).catch(() => {}); // unreachable: the stream reports it itself
    const end = await ended;
    if (end) this.finish({ reason: end });
  }
}

const PING = encoder.encode(encodeComment("ping"));

/** {@link startEventStream} as a Web `ReadableStream` (the Lambda entry's response body, and tests). */
export function openEventStream(options: EventStreamOptions): ReadableStream<Uint8Array> {
  const { stream, sink } = readableStreamSink();
  startEventStream(options, sink);
  return stream;
}
