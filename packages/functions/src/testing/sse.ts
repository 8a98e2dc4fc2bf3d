import { CHAT_EVENT_TYPES, type ChatEvent } from "@murmur/core/chat";
import { EventSource, type FetchLike } from "eventsource";

/** One SSE event as a test subscriber saw it. */
export interface ReceivedFrame {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  /** The chat event, for chat event types. */
  readonly event?: ChatEvent;
}

/**
 * A real EventSource (the `eventsource` package) over loopback that authenticates with a
 * bearer token and may start from a given `Last-Event-ID`. Records every named event in
 * `received`; a test waits on it with `expect.poll` / `vi.waitFor`.
 */
export function subscribeThread(url: string, token: string, lastEventId?: string) {
  const authFetch: FetchLike = (input, init) =>
    fetch(input, {
      ...init,
      headers: { ...init.headers, Authorization: `Bearer ${token}`, ...(lastEventId ? { "Last-Event-ID": lastEventId } : {}) },
    });
  const source = new EventSource(url, { fetch: authFetch });
  const received: ReceivedFrame[] = [];
  for (const type of ["snapshot", "reset", "close", ...CHAT_EVENT_TYPES]) {
    source.addEventListener(type, (message: MessageEvent<string>) => {
      received.push({
        id: message.lastEventId,
        type,
        data: message.data,
        event: type.includes(".") ? JSON.parse(message.data) : undefined,
      });
    });
  }
  return { source, received };
}

/** The types of received frames, in order: what a test waits on (`expect.poll(() => receivedTypes(sub.received))`). */
export const receivedTypes = (frames: readonly { type: string }[]) => frames.map((r) => r.type);

/** The deltas among received frames, in order. */
export const receivedDeltas = (frames: readonly { event?: ChatEvent }[]) =>
  frames.flatMap((r) => (r.event?.type === "message.delta" ? [r.event] : []));

/** The completions among received frames, in order. */
export const receivedCompletions = (frames: readonly { event?: ChatEvent }[]) =>
  frames.flatMap((r) => (r.event?.type === "message.completed" ? [r.event] : []));
