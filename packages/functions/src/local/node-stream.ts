import type { HttpBindings } from "@hono/node-server";
import type { StreamSink } from "@murmur/core/sse";
import type { StreamResponder } from "../stream-responder.ts";

// The header @hono/node-server reads to leave a response alone (its RESPONSE_ALREADY_SENT);
// one shared Response carries it, and nosniff, which the app would otherwise copy it to add.
const ALREADY_SENT = new Response(null, { headers: { "x-hono-already-sent": "true", "X-Content-Type-Options": "nosniff" } });

/**
 * Held streams on Node: the stream writes to the HTTP response itself, so a connection
 * holds no Web `ReadableStream`, reader loop or pending promise (measured: about 6 KB of
 * heap per connection, BENCHMARKS.md "Memory"). Node's own buffer is the backpressure.
 */
export const nodeStreamResponder: StreamResponder = (c, headers, start) => {
  const res = (c.env as HttpBindings).outgoing;
  res.writeHead(200, headers);
  res.flushHeaders();
  const sink: StreamSink = {
    write: (bytes) => void res.write(bytes),
    buffered: () => res.writableLength,
    end: () => void res.end(),
    onClose: (callback) => void res.once("close", callback),
  };
  start(sink);
  return ALREADY_SENT;
};
