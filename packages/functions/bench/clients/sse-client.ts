import { connect } from "node:net";

/** One SSE frame as read off the wire. Comments (heartbeats) are not frames. */
export interface SseFrame {
  readonly event?: string;
  readonly id?: string;
  readonly data?: string;
}

export interface SseOptions {
  /** e.g. http://127.0.0.1:40123 */
  readonly origin: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The status line arrived. */
  onOpen(status: number): void;
  onFrame(frame: SseFrame): void;
  /** The stream ended (by either side); `error` when it failed. Called once. */
  onClose(error?: Error): void;
}

enum Body {
  Size,
  Data,
  Crlf,
}

/**
 * A lightweight SSE reader over a raw socket (no EventSource, no HTTP client): writes
 * one GET, reads the status line, undoes chunked transfer encoding and splits frames on
 * blank lines. Thousands fit in one process. Bytes are read as latin1, which keeps
 * offsets equal to byte counts; the benchmark's payloads are ASCII.
 */
export function openSse(options: SseOptions): { close(): void } {
  const { hostname, port } = new URL(options.origin);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.setNoDelay(true);
  socket.setEncoding("latin1");
  let inHead = true;
  let chunked = false;
  let raw = "";
  let text = "";
  let state = Body.Size;
  let left = 0;
  let closed = false;
  const finish = (error?: Error) => {
    if (closed) return;
    closed = true;
    socket.destroy();
    options.onClose(error);
  };
  socket.on("connect", () => {
    let request = `GET ${options.path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n`;
    for (const [name, value] of Object.entries(options.headers)) request += `${name}: ${value}\r\n`;
    socket.write(`${request}\r\n`);
  });
  socket.on("data", (data: string) => {
    raw += data;
    if (inHead) {
      const end = raw.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = raw.slice(0, end);
      raw = raw.slice(end + 4);
      inHead = false;
      chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
      const status = Number(head.slice(9, 12));
      options.onOpen(status);
      if (status !== 200) return finish(new Error(`status ${status}`));
    }
    let more = true;
    if (chunked) more = unchunk();
    else {
      text += raw;
      raw = "";
    }
    let end = text.indexOf("\n\n");
    while (end >= 0 && !closed) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const frame = parseBlock(block);
      if (frame) options.onFrame(frame);
      end = text.indexOf("\n\n");
    }
    if (!more) finish();
  });
  /** Moves chunk payloads from `raw` to `text`; false at the last chunk. */
  const unchunk = (): boolean => {
    for (;;) {
      if (state === Body.Size) {
        const end = raw.indexOf("\r\n");
        if (end < 0) return true;
        left = Number.parseInt(raw.slice(0, end), 16);
        raw = raw.slice(end + 2);
        if (left === 0) return false;
        state = Body.Data;
      }
      if (state === Body.Data) {
        const take = Math.min(left, raw.length);
        text += raw.slice(0, take);
        raw = raw.slice(take);
        left -= take;
        if (left > 0) return true;
        state = Body.Crlf;
      }
      if (raw.length < 2) return true;
      raw = raw.slice(2);
      state = Body.Size;
    }
  };
  socket.on("error", (error) => finish(error));
  socket.on("close", () => finish());
  return { close: () => finish() };
}

function parseBlock(block: string): SseFrame | null {
  let event: string | undefined;
  let id: string | undefined;
  let data: string | undefined;
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(line[colon + 1] === " " ? colon + 2 : colon + 1);
    if (field === "event") event = value;
    else if (field === "id") id = value;
    else if (field === "data") data = data === undefined ? value : `${data}\n${value}`;
  }
  return event === undefined && id === undefined && data === undefined ? null : { event, id, data };
}
