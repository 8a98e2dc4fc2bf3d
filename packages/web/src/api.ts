import { CHAT_EVENT_TYPES, type ChatEvent, type ThreadState } from "@murmur/core/chat";
import type { ThreadRecord } from "@murmur/core/event-log";
import { config } from "./config.ts";

// The only module that calls fetch and EventSource: everything else goes through here.

export type { ThreadRecord };

/** The caller's anonymous session; the HttpOnly cookie set beside it authenticates later calls. */
export interface Session {
  readonly sessionId: string;
  readonly token: string;
  /** When the session ends, in epoch seconds. */
  readonly expiresAt: number;
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

async function request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${config.apiBase}${path}`, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? undefined : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    throw new ApiError(0, "network", "Cannot reach the server. Check your connection and try again.", { cause });
  }
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (payload as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(response.status, error?.code ?? "http_error", error?.message ?? `${response.status} ${response.statusText}`);
  }
  return payload as T;
}

const threadPath = (threadId: string) => `/chats/${encodeURIComponent(threadId)}`;

/** Starts a session, or returns the current one while its cookie is valid. Call once at start-up. */
export const startSession = () => request<Session>("POST", "/session");

/** The caller's threads, most recently active first. */
export const listThreads = () => request<{ threads: ThreadRecord[] }>("GET", "/chats").then((r) => r.threads);

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

/** Callbacks of one event stream. Each frame's cursor is what resuming after it needs. */
export interface StreamHandlers {
  /** The connection is open: the first time and after each reconnect. */
  onOpen(): void;
  /**
   * The connection dropped. `final` is true when EventSource gave up for good (any
   * non-200 answer); otherwise it is already reconnecting by itself with `Last-Event-ID`.
   */
  onError(final: boolean): void;
  /** The whole thread: the first frame of a stream opened without a cursor (`snapshot`), or a `reset`. */
  onState(state: ThreadState, cursor: string, reset?: { reason: string }): void;
  /** One chat event, in log order. */
  onEvent(event: ChatEvent, cursor: string): void;
  /** The server is closing the stream on purpose; EventSource reconnects by itself. */
  onClose(reason: string, message?: string): void;
  /**
   * The caller's whole thread list: sent first on each connection. Giving this handler
   * asks the server to carry the list (`?threads=1`) alongside the thread.
   */
  onThreads?(threads: ThreadRecord[]): void;
  /** One of the caller's threads changed (created, new activity, read elsewhere). */
  onThreadUpdated?(thread: ThreadRecord): void;
}

/** Makes the EventSource; tests pass a fake. */
export type EventSourceFactory = (url: string) => EventSource;

const nativeEventSource: EventSourceFactory = (url) => new EventSource(url);
const CLOSED = 2; // EventSource.CLOSED, spelled out so a fake needs no static members

/**
 * Opens a thread's event stream, resuming after `after` when given (else it starts with a
 * snapshot), and with the caller's thread list when `handlers.onThreads` is given.
 * Frames whose data is not JSON are dropped.
 * @returns a function that closes the stream; no handler runs after it.
 */
export function openEventStream(
  threadId: string,
  after: string | null,
  handlers: StreamHandlers,
  createSource: EventSourceFactory = nativeEventSource,
): () => void {
  const params = new URLSearchParams();
  if (after) params.set("after", after);
  if (handlers.onThreads) params.set("threads", "1");
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
  on<{ state: ThreadState; cursor: string }>("snapshot", (d) => handlers.onState(d.state, d.cursor));
  on<{ reason: string; state: ThreadState; cursor: string }>("reset", (d) => handlers.onState(d.state, d.cursor, { reason: d.reason }));
  on<{ reason: string; message?: string }>("close", (d) => handlers.onClose(d.reason, d.message));
  on<{ threads: ThreadRecord[] }>("threads", (d) => handlers.onThreads?.(d.threads));
  on<{ thread: ThreadRecord }>("thread.updated", (d) => handlers.onThreadUpdated?.(d.thread));
  for (const type of CHAT_EVENT_TYPES) on<ChatEvent>(type, (event, cursor) => handlers.onEvent(event, cursor));
  return () => source.close();
}
