import { type ClientRequest, createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { Context } from "aws-lambda";

// An emulation of what the Node.js runtime (aws-lambda-nodejs-runtime-interface-client)
// does for a handler wrapped in `awslambda.streamifyResponse`: the handler gets a
// Writable that is a chunked HTTP request to the Runtime API, in streaming response
// mode; `HttpResponseStream.from` sets the integration content type and, before the
// first write, writes the JSON metadata prelude and 8 NUL bytes. Here the Runtime API is
// a server on 127.0.0.1 that records what arrives and when.

const HANDLER_STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const HANDLER_HIGHWATERMARK = Symbol.for("aws.lambda.runtime.handler.streaming.highWaterMark");
const STREAM_RESPONSE = "response";
const PRELUDE_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const DELIMITER_LEN = 8;

type StreamingHandler = ((event: unknown, stream: ResponseStream, context: Context) => unknown) & {
  [HANDLER_STREAMING]?: string;
  [HANDLER_HIGHWATERMARK]?: number;
};

/** The runtime's response stream: a chunked request to the Runtime API, with its two additions. */
type ResponseStream = ClientRequest & {
  setContentType(contentType: string): void;
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
};

/** `awslambda.HttpResponseStream` (a class with one static method in the runtime). */
const HttpResponseStream = {
  from(underlying: ResponseStream, prelude: Record<string, unknown>): ResponseStream {
    underlying.setContentType(PRELUDE_CONTENT_TYPE);
    const metadata = JSON.stringify(prelude);
    underlying._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(DELIMITER_LEN));
    };
    return underlying;
  },
};

/** Installs `globalThis.awslambda` as the runtime does before it loads the handler module. */
export function installAwsLambdaGlobals(): void {
  Object.assign(globalThis, {
    awslambda: {
      streamifyResponse(handler: StreamingHandler, options?: { highWaterMark?: number }) {
        handler[HANDLER_STREAMING] = STREAM_RESPONSE;
        if (typeof options?.highWaterMark === "number") handler[HANDLER_HIGHWATERMARK] = options.highWaterMark;
        return handler;
      },
      HttpResponseStream,
    },
  });
}

/** One `write` of the handler, with when it happened (ms after the invoke started). */
export interface RecordedWrite {
  readonly atMs: number;
  readonly bytes: Uint8Array;
}

/** What a streamed invoke sent to the Runtime API. */
export interface StreamedResponse {
  /** The Runtime API request's headers: response mode, content type, transfer encoding. */
  readonly headers: IncomingHttpHeaders;
  /** The prelude `HttpResponseStream.from` was given: status code, headers, cookies. */
  readonly prelude: { statusCode: number; headers: Record<string, string>; cookies: string[] };
  /** The body after the prelude and its delimiter, as text. */
  readonly body: string;
  /** Each body write by the handler, in order (the prelude's own writes excluded). */
  readonly writes: readonly RecordedWrite[];
  /** When the stream ended, ms after the invoke started. */
  readonly endedAtMs: number;
}

/** A streamed invoke in progress: its writes so far, and its outcome. */
export interface StreamingInvocation {
  /** Each body write by the handler so far, in order (the prelude's own writes excluded). */
  readonly writes: readonly RecordedWrite[];
  /** The body written so far, as text. */
  text(): string;
  readonly done: Promise<StreamedResponse>;
}

/**
 * Invokes a streaming handler as the runtime does: refuses one that is not streamified,
 * passes the response stream, waits for the handler's promise and for the Runtime API
 * to answer, and fails when the stream was not ended ("Response stream is not finished").
 */
export function invokeStreaming(handler: unknown, event: unknown, context: Context): StreamingInvocation {
  const writes: RecordedWrite[] = [];
  const decoder = new TextDecoder();
  return {
    writes,
    text: () => writes.map((w) => decoder.decode(w.bytes)).join(""),
    done: run(handler, event, context, writes),
  };
}

async function run(handler: unknown, event: unknown, context: Context, writes: RecordedWrite[]): Promise<StreamedResponse> {
  const fn = handler as StreamingHandler;
  if (typeof fn !== "function" || fn[HANDLER_STREAMING] !== STREAM_RESPONSE) {
    throw new Error("the handler is not wrapped in awslambda.streamifyResponse");
  }
  const received: Buffer[] = [];
  let headers: IncomingHttpHeaders = {};
  const server = createServer((req, res) => {
    headers = req.headers;
    req.on("data", (chunk: Buffer) => received.push(chunk));
    req.on("end", () => res.writeHead(202).end('{"status":"OK"}'));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const started = performance.now();
  try {
    const stream = httpRequest({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: `/2018-06-01/runtime/invocation/${context.awsRequestId}/response`,
      headers: {
        "Lambda-Runtime-Function-Response-Mode": "streaming",
        "Content-Type": "application/octet-stream",
        "Transfer-Encoding": "chunked",
        Trailer: "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body",
      },
    }) as ResponseStream;
    const answered = new Promise<void>((resolve, reject) => {
      stream.on("response", (res) => res.resume().on("end", resolve));
      stream.on("error", reject);
    });
    let written = false;
    stream.setContentType = (contentType) => {
      if (written) throw new Error("Cannot set content-type, too late.");
      stream.setHeader("Content-Type", contentType);
    };
    const write = stream.write.bind(stream) as (chunk: string | Uint8Array) => boolean;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (!written) stream._onBeforeFirstWrite?.(write);
      written = true;
      const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : new Uint8Array(chunk);
      writes.push({ atMs: performance.now() - started, bytes });
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as ResponseStream["write"];

    const result = fn(event, toWritableResponseStream(stream), context);
    if (!(result instanceof Promise)) throw new Error("Streaming does not support non-async handlers.");
    await result;
    await answered;
    if (!stream.writableFinished) throw new Error("Response stream is not finished.");
    return { headers, ...splitPrelude(Buffer.concat(received)), writes, endedAtMs: performance.now() - started };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const WRITABLE_METHODS = [
  ...["cork", "destroy", "end", "uncork", "write", "setContentType"],
  ...["addListener", "on", "once", "prependListener", "prependOnceListener", "off", "removeListener", "removeAllListeners"],
  ...["setMaxListeners", "getMaxListeners", "listeners", "rawListeners", "listenerCount", "eventNames", "emit"],
] as const;
const READ_WRITE = ["destroyed", "_onBeforeFirstWrite"] as const;
const READ_ONLY = [
  ...["writableFinished", "writableObjectMode", "writableEnded", "writableNeedDrain"],
  ...["writableHighWaterMark", "writableCorked", "writableLength", "writable"],
] as const;

/** What the handler gets: not the request itself but an object exposing only these members, as the runtime does. */
function toWritableResponseStream(inner: ResponseStream): ResponseStream {
  const members = inner as unknown as Record<string, unknown>;
  const stream: Record<string, unknown> = {};
  for (const method of WRITABLE_METHODS) stream[method] = (members[method] as (...args: unknown[]) => unknown).bind(inner);
  for (const name of READ_WRITE) {
    Object.defineProperty(stream, name, { get: () => members[name], set: (value) => (members[name] = value) });
  }
  for (const name of READ_ONLY) Object.defineProperty(stream, name, { get: () => members[name] });
  return stream as unknown as ResponseStream;
}

function splitPrelude(raw: Buffer): Pick<StreamedResponse, "prelude" | "body"> {
  const delimiter = raw.indexOf(Buffer.alloc(DELIMITER_LEN));
  if (delimiter === -1) throw new Error("no metadata prelude: HttpResponseStream.from was not used");
  return {
    prelude: JSON.parse(raw.subarray(0, delimiter).toString("utf8")),
    body: raw.subarray(delimiter + DELIMITER_LEN).toString("utf8"),
  };
}
