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
 * bearer token and may start from a given `Last-Event-ID`. Records every named event;
 * `until` waits for a condition on what was received, woken by each new event.
 */
export function subscribeThread(url: string, token: string, lastEventId?: string) {
  const authFetch: FetchLike = (input, init) =>
    fetch(input, {
      ...init,
      headers: { ...init.headers, Authorization: `Bearer ${token}`, ...(lastEventId ? { "Last-Event-ID": lastEventId } : {}) },
    });
  const source = new EventSource(url, { fetch: authFetch });
  const received: ReceivedFrame[] = [];
  const waiters: (() => void)[] = [];
  for (const type of ["snapshot", "reset", "close", ...CHAT_EVENT_TYPES]) {
    source.addEventListener(type, (message: MessageEvent<string>) => {
      received.push({
        id: message.lastEventId,
        type,
        data: message.data,
        event: type.includes(".") ? JSON.parse(message.data) : undefined,
      });
      for (const wake of waiters.splice(0)) wake();
    });
  }
  const until = async (done: () => boolean, timeoutMs = 10_000, what = "a condition") => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received ${received.map((r) => r.type).join(",")}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return { source, received, until };
}

/** The deltas among received frames, in order. */
export const receivedDeltas = (frames: readonly { event?: ChatEvent }[]) =>
  frames.flatMap((r) => (r.event?.type === "message.delta" ? [r.event] : []));

/** The completions among received frames, in order. */
export const receivedCompletions = (frames: readonly { event?: ChatEvent }[]) =>
  frames.flatMap((r) => (r.event?.type === "message.completed" ? [r.event] : []));
