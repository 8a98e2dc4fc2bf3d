import { UnavailableError } from "../errors/index.ts";
import type { EventLog, LoggedEvent, ResetReason } from "../event-log/event-log.ts";
import { encodeComment, encodeFrame } from "./encode.ts";
import { announceStream, beginStreamControl, type StreamControl } from "./stream-control.ts";

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
  /** Aborted when the client goes away or the runtime wants the stream closed. */
  readonly signal?: AbortSignal;
  /** Called once when the stream ends, for whatever reason. */
  readonly onClose?: () => void;
}

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
 * The body of `GET /api/chats/sse/:threadId`: `retry:`, then a `snapshot` (no cursor) or
 * the replay after the cursor, then every new event as it is appended, each frame with
 * `id:` = its cursor. An unusable cursor gets a `reset` with a fresh snapshot (I2).
 * Errors that a reconnect can fix are sent in-band as a `close` event with reason
 * `error`, never as an HTTP status, because EventSource gives up on any non-200. A
 * controlled stream (see `control`) also ends with `close` reason `superseded` or
 * `released`, after which the browser does not reconnect it; so does every stream of a
 * thread that is deleted (reason `deleted`). With `owner`, a deleted thread of the
 * owner's list is a `thread.removed` frame (`{ threadId, position }`).
 */
export function openEventStream(options: EventStreamOptions): ReadableStream<Uint8Array> {
  const abort = new AbortController();
  const timers: ReturnType<typeof setTimeout>[] = [];
  let closed = false;
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | null = null;

  const pad = options.padToBytes ?? 0;
  // Padded streams (Lambda) gather what is written in one turn of the event loop (a
  // connection's first frames, a batch and a list change) into one write, padded once:
  // each padded write costs 16 KB of CloudFront egress. Unpadded streams write at once.
  let pending: Uint8Array[] = [];
  const flush = () => {
    if (!controllerRef || pending.length === 0) return;
    let bytes = pending.length === 1 ? (pending[0] as Uint8Array) : concat(pending);
    pending = [];
    if (bytes.length < pad) bytes = concat([bytes, encoder.encode(encodeComment(" ".repeat(Math.max(0, pad - bytes.length - 4))))]);
    controllerRef.enqueue(bytes);
  };
  const write = (chunk: string | Uint8Array) => {
    if (closed || !controllerRef) return;
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    if (pad === 0) return controllerRef.enqueue(bytes);
    if (pending.push(bytes) === 1) setTimeout(flush, 0);
  };

  const finish = (last?: { reason: "planned" | "error" | "superseded" | "released" | "deleted"; message?: string }) => {
    if (closed) return;
    if (last) write(encodeFrame({ event: "close", data: JSON.stringify(last), retry: options.retryMs }));
    flush();
    closed = true;
    abort.abort();
    for (const timer of timers) clearTimeout(timer);
    options.signal?.removeEventListener("abort", onClientGone);
    try {
      controllerRef?.close();
    } catch {
      // Already closed by the consumer.
    }
    options.onClose?.();
  };
  const onClientGone = () => finish();

  const sendSnapshot = async (event: "snapshot" | "reset", reason?: ResetReason) => {
    const { state, cursor } = await options.log.snapshot(options.threadId);
    write(encodeFrame({ id: cursor, event, data: JSON.stringify(reason ? { reason, state, cursor } : { state, cursor }) }));
    return cursor;
  };

  const writeEvents = (events: readonly LoggedEvent[]) => {
    write(events.length === 1 ? eventFrame(events[0] as LoggedEvent) : concat(events.map(eventFrame)));
  };

  const pump = async () => {
    let cursor = options.after ?? (await sendSnapshot("snapshot"));
    while (!closed) {
      let reset: ResetReason | null = null;
      for await (const item of options.log.tail(options.threadId, cursor, abort.signal)) {
        if (item.kind === "deleted") return "deleted" as const;
        if (item.kind === "reset") {
          reset = item.reason;
          break;
        }
        writeEvents(item.events);
        cursor = item.events.at(-1)?.cursor ?? cursor;
      }
      if (reset === null) break;
      cursor = await sendSnapshot("reset", reset);
    }
  };

  const pumpThreads = async (owner: string) => {
    for await (const item of options.log.watchThreads(owner, abort.signal)) {
      if (item.kind === "list") {
        const list = { threads: item.threads, position: item.position, next: item.next };
        write(encodeFrame({ event: "threads", data: JSON.stringify(list) }));
      } else if (item.kind === "removed") {
        write(encodeFrame({ event: "thread.removed", data: JSON.stringify({ threadId: item.threadId, position: item.position }) }));
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

  const fail = (error: unknown) => {
    const message = error instanceof UnavailableError ? error.message : "stream failed";
    finish({ reason: "error", message });
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      controllerRef = controller;
      if (options.signal?.aborted) return finish();
      options.signal?.addEventListener("abort", onClientGone, { once: true });
      write(encodeFrame({ retry: options.retryMs }));
      if (options.control) void control(options.control);
      const heartbeat = setInterval(() => write(encodeComment("ping")), options.heartbeatMs);
      timers.push(heartbeat as unknown as ReturnType<typeof setTimeout>);
      if (options.maxDurationMs > 0) timers.push(setTimeout(() => finish({ reason: "planned" }), options.maxDurationMs));
      pump().then(
        // The thread was deleted: a final close. Else the tail ended without an abort: the log closed (server shutting down).
        (end) => finish(closed ? undefined : { reason: end === "deleted" ? "deleted" : "planned" }),
        fail,
      );
      if (options.owner !== undefined) pumpThreads(options.owner).catch(fail);
    },
    cancel() {
      finish();
    },
  });
}
