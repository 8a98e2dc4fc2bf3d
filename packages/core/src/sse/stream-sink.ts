/**
 * Where a held stream writes its bytes. The runtime's entry makes it: on Node, the HTTP
 * response itself (no Web stream per connection); on Lambda, the invocation's response
 * stream. Handlers and core never ask which runtime they are on.
 */
export interface StreamSink {
  /** Queues bytes for the client, in order. */
  write(bytes: Uint8Array): void;
  /** Bytes queued for the client and not yet taken by it (the socket's or stream's buffer). */
  buffered(): number;
  /** Ends the response. Idempotent. */
  end(): void;
  /**
   * Drops the connection at once, discarding what is still queued (a client that stopped
   * reading: its queue must not stay in memory until its socket times out). Idempotent.
   */
  abort(): void;
  /**
   * Calls `target.close()` once when the response ends or the client goes away (a target
   * rather than a callback: the stream passes itself, and holds no closure for it).
   */
  onClose(target: { close(): void }): void;
}

/** A sink over a Web `ReadableStream`: for Lambda's response stream, and for tests. */
export function readableStreamSink(): { readonly stream: ReadableStream<Uint8Array>; readonly sink: StreamSink } {
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let ended = false;
  const closers: { close(): void }[] = [];
  const close = () => {
    if (ended) return;
    ended = true;
    for (const target of closers.splice(0)) target.close();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      // The consumer went away (the client, or the runtime): the stream ends.
      cancel: close,
      // Counted in bytes, so `desiredSize` is minus the bytes the consumer has not taken.
    },
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  );
  const sink: StreamSink = {
    write(bytes) {
      if (!ended) controller?.enqueue(bytes);
    },
    buffered: () => Math.max(0, -(controller?.desiredSize ?? 0)),
    end() {
      if (ended) return;
      try {
        controller?.close();
      } catch {
        // already closed by the consumer
      }
      close();
    },
    abort() {
      if (ended) return;
      try {
        controller?.error(new Error("the client stopped reading"));
      } catch {
        // already closed by the consumer
      }
      close();
    },
    onClose(target) {
      if (ended) target.close();
      else closers.push(target);
    },
  };
  return { stream, sink };
}
