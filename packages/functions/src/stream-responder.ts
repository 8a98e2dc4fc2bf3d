import { readableStreamSink, type StreamSink } from "@murmur/core/sse";
import type { Context } from "hono";

/**
 * How a runtime answers a request with a held stream: it makes the sink the stream
 * writes to, hands it to `start`, and returns the Response the app returns. The entry
 * files choose one (the Node server writes to its HTTP response directly; Lambda streams
 * a Web `ReadableStream`); the stream route never asks which runtime it is on.
 */
export type StreamResponder = (c: Context, headers: Readonly<Record<string, string>>, start: (sink: StreamSink) => void) => Response;

/** A held stream as a Web `ReadableStream` body: Lambda's response stream, and `app.request()` in tests. */
export const webStreamResponder: StreamResponder = (_c, headers, start) => {
  const { stream, sink } = readableStreamSink();
  start(sink);
  return new Response(stream, { headers });
};
