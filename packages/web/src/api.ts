import { CHAT_EVENT_TYPES, type ChatEvent, type ThreadState } from "@murmur/core/chat";
import type { ThreadRecord } from "@murmur/core/event-log";
import { config } from "./config.ts";

// The only module that calls fetch and EventSource: everything else goes through here.

export type { ThreadRecord };

/**
 * When the browser holds a thread's stream:
 * - always: while the thread is open in a visible tab (local default);
 * - on-demand: only while a reply streams, while the person types, and `lingerMs` after
 *   (cloud default: a held stream is a Lambda billed by the second). Idle tabs hold
 *   nothing and ask `syncThread` every `idleCheckMs` whether anything changed.
 */
export interface StreamSettings {
  readonly policy: "always" | "on-demand";
  readonly lingerMs: number;
  readonly idleCheckMs: number;
}

/** The caller's anonymous session; the HttpOnly cookie set beside it authenticates later calls. */
export interface Session {
  readonly sessionId: string;
  readonly token: string;
  /** When the session ends, in epoch seconds. */
  readonly expiresAt: number;
  readonly stream: StreamSettings;
}

/** A server that names no policy (one from before policies) gets what it always had. */
const DEFAULT_STREAM: StreamSettings = Object.freeze({ policy: "always", lingerMs: 15_000, idleCheckMs: 30_000 });

/**
 * The caller's threads loaded so far, how current the list is (an opaque position; null
 * from a server that names none), and the cursor of the next page (null: none left).
 */
export interface ThreadList {
  readonly threads: readonly ThreadRecord[];
  readonly position: string | null;
  readonly next: string | null;
}

/** What `syncThread` answers when something changed: the current positions, and which of the two moved. */
export interface SyncResult {
  readonly cursor: string;
  readonly position: string;
  readonly thread: boolean;
  readonly threads: boolean;
}

/** What `send` answers: `duplicate` is true when the server already held this message id. */
export interface SendResult {
  readonly messageId: string;
  readonly runId: string;
  readonly cursor: string;
  readonly duplicate: boolean;
}

/** A failed API call. `message` is the server's own words when it sent any. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

/**
 * SHA-256 (hex) of the bodies sent most, known ahead so that sending them awaits nothing:
 * a `keepalive` close sent from `pagehide` must leave before the page goes.
 */
const KNOWN_SHA256: Readonly<Record<string, string>> = {
  "": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "{}": "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
};

/** Hex SHA-256 of `text`; null where Web Crypto is missing (plain HTTP off localhost: never the cloud). */
async function sha256Hex(text: string): Promise<string | null> {
  const known = KNOWN_SHA256[text];
  if (known !== undefined) return known;
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  const digest = new Uint8Array(await subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The headers of a request with `payload`. Every POST carries `x-amz-content-sha256`, the
 * hex SHA-256 of its body: in the cloud CloudFront signs requests to the API for Lambda
 * (Origin Access Control), and Lambda takes no signed request without its body's hash.
 */
function headersFor(method: string, payload: string | undefined, hash: string | null): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  if (payload !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && hash !== null) headers["x-amz-content-sha256"] = hash;
  return Object.keys(headers).length > 0 ? headers : undefined;
}

async function request<T>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown, init: RequestInit = {}): Promise<T> {
  const sent = body === undefined ? undefined : JSON.stringify(body);
  // No await for a known body: the fetch starts in this very call (see KNOWN_SHA256).
  const known = method === "GET" ? null : KNOWN_SHA256[sent ?? ""];
  const hash = method === "GET" ? null : (known ?? (await sha256Hex(sent ?? "")));
  let response: Response;
  try {
    response = await fetch(`${config.apiBase}${path}`, {
      method,
      credentials: "same-origin",
      headers: headersFor(method, sent, hash),
      body: sent,
      ...init,
    });
  } catch (cause) {
    throw new ApiError(0, "network", "Cannot reach the server. Check your connection and try again.", { cause });
  }
  if (response.status === 304 || response.status === 204) return null as T;
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (payload as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(response.status, error?.code ?? "http_error", error?.message ?? `${response.status} ${response.statusText}`);
  }
  return payload as T;
}

const threadPath = (threadId: string) => `/chats/${encodeURIComponent(threadId)}`;

/** Starts a session, or returns the current one while its cookie is valid. Call once at start-up. */
export const startSession = () =>
  request<Omit<Session, "stream"> & { stream?: StreamSettings }>("POST", "/session").then(
    (s): Session => ({
      ...s,
      stream: s.stream ?? DEFAULT_STREAM,
    }),
  );

/** How many threads a page of the list holds. */
export const THREAD_PAGE_SIZE = 100; // the size of the first page the list stream sends

/** A page of the caller's threads, most recently active first (the first, or the one after `before`), and the list's position. */
export const listThreads = (before: string | null = null) => {
  const query = new URLSearchParams({ limit: String(THREAD_PAGE_SIZE) });
  if (before !== null) query.set("before", before);
  return request<{ threads: ThreadRecord[]; position?: string; next?: string | null }>("GET", `/chats?${query}`).then(
    (r): ThreadList => ({
      threads: r.threads,
      position: r.position ?? null,
      next: r.next ?? null,
    }),
  );
};

/** Renames a thread; the record comes back (and to every tab, over the list stream). */
export const renameThread = (threadId: string, title: string) =>
  request<{ thread: ThreadRecord }>("PATCH", threadPath(threadId), { title }).then((r) => r.thread);

/**
 * Deletes a thread for good (idempotent). `keepalive` lets the request outlive the page,
 * for a delete whose undo time is cut short by leaving.
 */
export const deleteThread = (threadId: string, options: { keepalive?: boolean } = {}) =>
  request<null>("DELETE", threadPath(threadId), undefined, { keepalive: options.keepalive === true });

/**
 * A new reply to the thread's last message: `attempt` is one past the replies to it the
 * caller has seen, so a retry of the same regeneration starts nothing new.
 */
export const regenerateReply = (threadId: string, messageId: string, attempt: number) =>
  request<SendResult & { attempt: number }>("POST", `${threadPath(threadId)}/messages/${encodeURIComponent(messageId)}/regenerate`, {
    attempt,
  });

/**
 * The idle check: one cheap read on the server. Null (a 304) when neither the thread
 * moved past `cursor` nor the list past `position`; else which of them did.
 */
export function syncThread(threadId: string, cursor: string, position: string | null): Promise<SyncResult | null> {
  const query = new URLSearchParams({ cursor });
  if (position !== null) query.set("position", position);
  return request<SyncResult | null>("GET", `${threadPath(threadId)}/sync?${query}`, undefined, { cache: "no-store" });
}

/**
 * Asks the server to end a stream this browser dropped on purpose (thread switch, the
 * end of a linger, the page going away), so it stops paying for it within seconds: a
 * streaming Lambda never learns that its client left. `keepalive` lets it outlive the page, as
 * `navigator.sendBeacon` would, and still carry the JSON type the API requires.
 * Fire and forget: a stream the server cannot find is already gone.
 */
export function closeStream(threadId: string, streamId: string): void {
  request("POST", `${threadPath(threadId)}/streams/${encodeURIComponent(streamId)}/close`, {}, { keepalive: true }).catch(() => undefined);
}

/** Creates an empty thread owned by the caller. */
export const createThread = () => request<{ thread: ThreadRecord }>("POST", "/chats", {}).then((r) => r.thread);

/** A thread's messages and the cursor they are current to. */
export const getThread = (threadId: string) =>
  request<{ thread: ThreadRecord; state: ThreadState; cursor: string }>("GET", threadPath(threadId));

/** Sends a user message. Sending again with the same `messageId` is a no-op, so retries are safe. */
export const sendMessage = (threadId: string, message: { messageId: string; text: string }) =>
  request<SendResult>("POST", `${threadPath(threadId)}/send`, message);

/**
 * Asks the run writing a reply to stop. Safe to repeat; `status` is "stopping", or the
 * status the reply already ended with.
 */
export const cancelRun = (threadId: string, runId: string) =>
  request<{ runId: string; status: string }>("POST", `${threadPath(threadId)}/runs/${encodeURIComponent(runId)}/cancel`, {});

/** Records that the caller has seen the thread, so every tab and device clears its unread badge. */
export const markRead = (threadId: string) => request<{ readAt: number }>("POST", `${threadPath(threadId)}/read`, {});

/** Why the server ended a stream for good: the browser must not reconnect it. `deleted`: the thread is gone. */
export type FinalCloseReason = "superseded" | "released" | "deleted";

/** Callbacks of one event stream. Each frame's cursor is what resuming after it needs. */
export interface StreamHandlers {
  /** The connection is open: the first time and after each reconnect. */
  onOpen(): void;
  /** The server named this connection (the `opened` frame): `closeStream` ends it by this id. */
  onOpened?(streamId: string): void;
  /**
   * The connection dropped. `final` is true when EventSource gave up for good (any
   * non-200 answer); otherwise it is already reconnecting by itself with `Last-Event-ID`.
   */
  onError(final: boolean): void;
  /** The whole thread: the first frame of a stream opened without a cursor (`snapshot`), or a `reset`. */
  onState(state: ThreadState, cursor: string, reset?: { reason: string }): void;
  /** One chat event, in log order. */
  onEvent(event: ChatEvent, cursor: string): void;
  /** The server is closing the stream on purpose (`planned`, `error`); EventSource reconnects by itself. */
  onClose(reason: string, message?: string): void;
  /**
   * The server ended the stream for good: a newer stream of this browser took the thread
   * over (`superseded`), or the browser asked (`released`). The source is already
   * closed and nothing reconnects it.
   */
  onEnd?(reason: FinalCloseReason): void;
  /** The first page of the caller's thread list, its position and the next page's cursor: sent first on each connection opened with `threads`. */
  onThreads?(threads: ThreadRecord[], position: string | null, next: string | null): void;
  /** One of the caller's threads changed (created, renamed, new activity, read elsewhere), and the list's new position. */
  onThreadUpdated?(thread: ThreadRecord, position: string | null): void;
  /** One of the caller's threads was deleted (in any tab or device), and the list's new position. */
  onThreadRemoved?(threadId: string, position: string | null): void;
}

/** Where a stream starts and what it carries. */
export interface StreamRequest {
  /** Resume after this cursor; null starts with a snapshot. */
  readonly after: string | null;
  /** Also carry the caller's thread list (`?threads=1`). */
  readonly threads?: boolean;
  /** This browser's id (`?client=`): the server supersedes an older stream of the same client for the same thread. */
  readonly client?: string;
}

/** Makes the EventSource; tests pass a fake. */
export type EventSourceFactory = (url: string) => EventSource;

const nativeEventSource: EventSourceFactory = (url) => new EventSource(url);
const CLOSED = 2; // EventSource.CLOSED, spelled out so a fake needs no static members

/**
 * Opens a thread's event stream. Frames whose data is not JSON are dropped.
 * @returns a function that closes the stream; no handler runs after it.
 */
export function openEventStream(
  threadId: string,
  request: StreamRequest,
  handlers: StreamHandlers,
  createSource: EventSourceFactory = nativeEventSource,
): () => void {
  const params = new URLSearchParams();
  if (request.after) params.set("after", request.after);
  if (request.threads) params.set("threads", "1");
  if (request.client) params.set("client", request.client);
  const query = params.toString() ? `?${params}` : "";
  const source = createSource(`${config.apiBase}/chats/sse/${encodeURIComponent(threadId)}${query}`);
  const on = <T>(type: string, handle: (data: T, cursor: string) => void) =>
    source.addEventListener(type, (frame) => {
      const { data, lastEventId } = frame as MessageEvent<string>;
      let parsed: T;
      try {
        parsed = JSON.parse(data) as T;
      } catch {
        return;
      }
      handle(parsed, lastEventId);
    });

  source.addEventListener("open", () => handlers.onOpen());
  source.addEventListener("error", () => handlers.onError(source.readyState === CLOSED));
  on<{ streamId: string }>("opened", (d) => handlers.onOpened?.(d.streamId));
  on<{ state: ThreadState; cursor: string }>("snapshot", (d) => handlers.onState(d.state, d.cursor));
  on<{ reason: string; state: ThreadState; cursor: string }>("reset", (d) => handlers.onState(d.state, d.cursor, { reason: d.reason }));
  on<{ reason: string; message?: string }>("close", (d) => {
    if (d.reason !== "superseded" && d.reason !== "released" && d.reason !== "deleted") return handlers.onClose(d.reason, d.message);
    source.close();
    handlers.onEnd?.(d.reason);
  });
  on<{ threads: ThreadRecord[]; position?: string; next?: string | null }>("threads", (d) =>
    handlers.onThreads?.(d.threads, d.position ?? null, d.next ?? null),
  );
  on<{ threadId: string; position?: string }>("thread.removed", (d) => handlers.onThreadRemoved?.(d.threadId, d.position ?? null));
  on<{ thread: ThreadRecord; position?: string }>("thread.updated", (d) => handlers.onThreadUpdated?.(d.thread, d.position ?? null));
  for (const type of CHAT_EVENT_TYPES) on<ChatEvent>(type, (event, cursor) => handlers.onEvent(event, cursor));
  return () => source.close();
}
