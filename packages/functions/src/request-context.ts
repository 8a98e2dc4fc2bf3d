import { type TraceContext, traceContextOf } from "@murmur/core/trace";
import type { MiddlewareHandler } from "hono";
import type { LogFields, Logger } from "./log.ts";

/** The response header that tells a caller its request's id (and an incoming one that is honoured). */
export const REQUEST_ID_HEADER = "x-request-id";

/** A logger whose every line also carries `fields` (e.g. the request id). */
export function withFields(logger: Logger, fields: LogFields): Logger {
  return {
    info: (msg, more) => logger.info(msg, { ...fields, ...more }),
    warn: (msg, more) => logger.warn(msg, { ...fields, ...more }),
    error: (msg, more) => logger.error(msg, { ...fields, ...more }),
  };
}

/** What the request-context middleware sets on every request. */
export interface RequestVariables {
  /** The request's id and trace (see `traceContextOf`). */
  trace: TraceContext;
  /** The app's logger with `requestId` (and `traceId`) on every line. */
  logger: Logger;
  /** The response is a held stream, whose headers (with the id) are already written: left alone after `next()`. */
  streaming?: boolean;
}

/**
 * Gives every request an id: its valid `x-request-id`, else its W3C `traceparent`'s
 * trace id, else a new one; never refuses a request for either. Echoes it as
 * `x-request-id` and puts it on every log line of the request. A held stream carries it
 * in the headers it writes itself (routes/stream.ts) and is left alone: setting a header
 * on a finished response makes Hono copy it, a second Response per connection.
 */
export function requestContext(logger: Logger): MiddlewareHandler<{ Variables: RequestVariables }> {
  return async (c, next) => {
    const trace = traceContextOf({ traceparent: c.req.header("traceparent"), requestId: c.req.header(REQUEST_ID_HEADER) });
    c.set("trace", trace);
    c.set("logger", withFields(logger, { requestId: trace.requestId, traceId: trace.traceId }));
    await next();
    if (!c.var.streaming && !c.res.headers.has(REQUEST_ID_HEADER)) c.header(REQUEST_ID_HEADER, trace.requestId);
  };
}
