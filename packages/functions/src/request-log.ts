import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { AppEnv } from "./deps.ts";
import type { Logger } from "./log.ts";

/** The thread a path names, if any: `/api/chats/<id>/…` and `/api/chats/sse/<id>`. */
export function threadOf(path: string): string | undefined {
  const match = /^\/api\/chats\/(?:sse\/)?([A-Za-z0-9_-]{1,64})(?:\/|$)/.exec(path);
  return match?.[1] === "sse" ? undefined : match?.[1];
}

/**
 * One `request` line per answered request: method, route (the pattern, so no ids or
 * query: a LangGraph completion's URL carries a secret), status, duration, thread, and
 * bytes when the length is known. Held streams log their own end instead (stream-log.ts).
 */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    if (c.get("streaming")) return;
    const length = c.res.headers.get("Content-Length");
    // The request's own logger: its line carries the request id (request-context.ts).
    (c.var.logger ?? logger).info("request", {
      method: c.req.method,
      route: routePath(c, c.req.routeIndex),
      status: c.res.status,
      durationMs: Math.round(performance.now() - started),
      threadId: threadOf(new URL(c.req.url).pathname),
      bytes: length === null ? undefined : Number(length),
    });
  };
}
