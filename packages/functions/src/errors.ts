import { MurmurError, RateLimitedError, UnavailableError } from "@murmur/core/errors";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { errorText, type Logger } from "./log.ts";

const STATUS: Record<MurmurError["code"], ContentfulStatusCode> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  reply_in_progress: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
};

/**
 * The one error renderer: every failure answers `{ error: { code, message } }`; a limit
 * reached adds the limit's name (`limit`), and it and an unreachable store say when to
 * ask again (`Retry-After`, seconds).
 */
export function renderError(error: Error, c: Context, logger?: Logger): Response {
  if (error instanceof MurmurError) {
    if (error instanceof UnavailableError || error instanceof RateLimitedError) c.header("Retry-After", String(error.retryAfterSeconds));
    const limit = error instanceof RateLimitedError ? { limit: error.limit } : {};
    return c.json({ error: { code: error.code, message: error.message, ...limit } }, STATUS[error.code]);
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    return c.json({ error: { code: codeFor(status), message: error.message || "request failed" } }, status);
  }
  // The client went away in the middle of its request (a read timeout closed it, or it
  // hung up): nobody is left to answer, and nothing is wrong here to log.
  if ((error as { code?: string }).code === "ECONNRESET") {
    return c.json({ error: { code: "aborted", message: "the request was not received whole" } }, 400);
  }
  // The request's logger (its lines carry the request id) when the request got that far.
  const log = (c.get("logger") as Logger | undefined) ?? logger;
  if (log) log.error("unhandled error", { error: errorText(error), stack: error.stack?.split("\n").slice(1, 4).join(" | ") });
  else console.error("unhandled error", error);
  return c.json({ error: { code: "internal", message: "internal error" } }, 500);
}

function codeFor(status: number): string {
  const entry = Object.entries(STATUS).find(([, s]) => s === status);
  return entry ? entry[0] : status >= 500 ? "internal" : "bad_request";
}
