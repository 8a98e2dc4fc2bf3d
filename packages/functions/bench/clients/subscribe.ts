import { openPoll } from "./poll-client.ts";
import type { SocketIoOptions } from "./socketio-client.ts";
import { openSse } from "./sse-client.ts";

/** How a design's subscribers listen. */
export type Protocol = "murmur-sse" | "pubsub-sse" | "poll" | "socketio";

/** The polling design's interval. */
export const POLL_INTERVAL_MS = 1500;

/** `onReady`: Murmur after its `snapshot`, pub/sub once subscribed, polling after the first answer, Socket.IO on `connect`. */
export interface SubscribeOptions extends SocketIoOptions {
  readonly protocol: Protocol;
}

/** Opens one subscriber of any design. */
export async function subscribe(options: SubscribeOptions): Promise<{ close(): void }> {
  const { origin, threadId, token, onReady, onEvent, onClose } = options;
  switch (options.protocol) {
    case "murmur-sse":
    case "pubsub-sse": {
      const murmur = options.protocol === "murmur-sse";
      return openSse({
        origin,
        path: murmur ? `/api/chats/sse/${threadId}` : `/api/sse/${threadId}`,
        headers: { Authorization: `Bearer ${token}` },
        onOpen: (status) => {
          if (status === 200 && !murmur) onReady();
        },
        onFrame: (frame) => {
          if (frame.event === "snapshot") onReady();
          else if (frame.event === "close") onClose(new Error(`server closed the stream: ${frame.data}`));
          else if (frame.data !== undefined && (frame.event === undefined || frame.event === "message.delta")) onEvent(frame.data);
        },
        onClose,
      });
    }
    case "poll":
      return openPoll({
        origin,
        path: `/api/poll/${threadId}`,
        token,
        intervalMs: POLL_INTERVAL_MS,
        after: "$",
        onReady,
        onEvents: (events) => {
          for (const event of events) onEvent(event);
        },
        onClose,
      });
    case "socketio": {
      const { openSocketIo } = await import("./socketio-client.ts");
      return openSocketIo({ origin, threadId, token, onReady, onEvent, onClose });
    }
  }
}
