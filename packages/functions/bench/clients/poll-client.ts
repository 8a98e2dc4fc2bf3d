import { connect } from "node:net";

export interface PollOptions {
  readonly origin: string;
  /** Path without the query, e.g. /api/poll/t_1 */
  readonly path: string;
  readonly token: string;
  readonly intervalMs: number;
  /** Start after this cursor ("0-0": from the start; "$": from now). */
  readonly after: string;
  /** After the first answer: the poller is in place. */
  onReady(): void;
  /** Events of one answer, in order (each a parsed chat event). */
  onEvents(events: readonly unknown[]): void;
  onClose(error?: Error): void;
}

/**
 * A poller as the old design ran it: GET every `intervalMs` over one kept-alive
 * connection (raw socket, Content-Length framing), asking for what is newer than its
 * cursor; a full page is followed at once by the next. The first poll goes at once and
 * the second at a random point of the interval, so many pollers spread out.
 */
export function openPoll(options: PollOptions): { close(): void; pollNow(): void; cursor(): string } {
  const { hostname, port } = new URL(options.origin);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.setNoDelay(true);
  socket.setEncoding("latin1");
  let cursor = options.after;
  let raw = "";
  let inFlight = false;
  let startedAt = 0;
  let first = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const finish = (error?: Error) => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    socket.destroy();
    options.onClose(error);
  };
  const poll = () => {
    if (closed || inFlight) return;
    clearTimeout(timer);
    inFlight = true;
    startedAt = Date.now();
    socket.write(
      `GET ${options.path}?after=${cursor} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${options.token}\r\n\r\n`,
    );
  };
  socket.on("connect", poll);
  socket.on("data", (data: string) => {
    raw += data;
    const headEnd = raw.indexOf("\r\n\r\n");
    if (headEnd < 0) return;
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(raw.slice(0, headEnd))?.[1] ?? -1);
    if (raw.length < headEnd + 4 + length) return;
    const status = Number(raw.slice(9, 12));
    const body = raw.slice(headEnd + 4, headEnd + 4 + length);
    raw = raw.slice(headEnd + 4 + length);
    inFlight = false;
    if (status !== 200 || length < 0) return finish(new Error(`status ${status}`));
    const answer = JSON.parse(body) as { cursor: string; more: boolean; events: unknown[] };
    cursor = answer.cursor;
    if (answer.events.length > 0) options.onEvents(answer.events);
    let wait = Math.max(0, startedAt + options.intervalMs - Date.now());
    if (first) {
      first = false;
      options.onReady();
      wait = Math.random() * options.intervalMs;
    }
    timer = setTimeout(poll, answer.more ? 0 : wait);
  });
  socket.on("error", (error) => finish(error));
  socket.on("close", () => finish());
  return { close: () => finish(), pollNow: poll, cursor: () => cursor };
}
