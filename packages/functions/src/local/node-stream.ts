import type { ServerResponse } from "node:http";
import type { HttpBindings } from "@hono/node-server";
import type { StreamSink } from "@murmur/core/sse";
import type { StreamResponder } from "../stream-responder.ts";

// The header @hono/node-server reads to leave a response alone (its RESPONSE_ALREADY_SENT);
// one shared Response carries it, and nosniff, which the app would otherwise copy it to add.
const ALREADY_SENT = new Response(null, { headers: { "x-hono-already-sent": "true", "X-Content-Type-Options": "nosniff" } });

/**
 * Held streams on Node: the stream writes to the HTTP response itself, so a connection
 * holds no Web `ReadableStream`, reader loop or pending promise. Measured with 2,000 held
 * streams (BENCHMARKS.md "Memory"): what a connection costs beyond node:http's own state
 * is the stream object, its listener entry and this sink.
 */
export const nodeStreamResponder: StreamResponder = (c, headers, start) => {
  const res = (c.env as HttpBindings).outgoing;
  // @hono/node-server's own close listener aborts the request's signal on a premature
  // close, and so keeps the whole Request (headers included) alive as long as the stream:
  // a held stream reads no signal, so it lets go of it (about 1 KB a connection).
  res.removeAllListeners("close");
  res.writeHead(200, headers);
  res.flushHeaders();
  start(new NodeSink(res));
  return ALREADY_SENT;
};

class NodeSink implements StreamSink {
  constructor(private readonly res: ServerResponse) {}

  write(bytes: Uint8Array): void {
    this.res.write(bytes);
  }

  buffered(): number {
    return this.res.writableLength;
  }

  end(): void {
    this.res.end();
  }

  abort(): void {
    this.res.destroy();
  }

  onClose(target: { close(): void }): void {
    this.res.once("close", () => target.close());
  }
}
