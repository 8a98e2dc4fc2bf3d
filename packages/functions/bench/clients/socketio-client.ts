import { io, type Socket } from "socket.io-client";

/** What any benchmark subscriber is opened with (see subscribe.ts). */
export interface SocketIoOptions {
  readonly origin: string;
  readonly threadId: string;
  readonly token: string;
  onReady(): void;
  /** One delivered chat event (an object or its JSON text). */
  onEvent(event: unknown): void;
  onClose(error?: Error): void;
}

/**
 * A Socket.IO 4 client on the WebSocket transport, one connection (Manager) per
 * subscriber, without automatic reconnection: the benchmark decides when to reconnect.
 */
export function openSocketIo(options: SocketIoOptions): { close(): void; socket: Socket } {
  const socket = io(options.origin, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    timeout: 20_000,
    auth: { token: options.token },
    query: { thread: options.threadId },
  });
  let closed = false;
  const finish = (error?: Error) => {
    if (closed) return;
    closed = true;
    options.onClose(error);
  };
  socket.on("connect", () => options.onReady());
  socket.on("event", (event: unknown) => options.onEvent(event));
  socket.on("connect_error", (error) => finish(error));
  socket.on("disconnect", (reason) => {
    if (reason !== "io client disconnect") finish(new Error(reason));
  });
  return {
    socket,
    close() {
      socket.disconnect();
      finish();
    },
  };
}
