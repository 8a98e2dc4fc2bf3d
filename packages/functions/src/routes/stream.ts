import { parseCursor } from "@murmur/core/event-log";
import { openEventStream } from "@murmur/core/sse";
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";
import { requireSession } from "../session.ts";
import { ownedThread } from "../threads.ts";

/**
 * `GET /api/chats/sse/:threadId`: the live stream. Resumes from `Last-Event-ID` (sent by
 * the browser on its own reconnects, so it wins) or `?after=`; neither gets a snapshot.
 * A malformed cursor, a missing session and a foreign thread are final (400/401/403/404);
 * everything after the headers is reported in-band.
 */
export function streamRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().use(requireSession(deps)).get("/:threadId", async (c) => {
    const thread = await ownedThread(deps.log, c.req.param("threadId"), c.var.sessionId);
    const after = c.req.header("Last-Event-ID") || c.req.query("after") || null;
    if (after !== null) parseCursor(after);
    // Fail before the 200 when the log is down, so the client's retry logic sees it.
    await deps.log.ping();
    deps.streams.open();
    const body = openEventStream({
      log: deps.log,
      threadId: thread.id,
      after,
      heartbeatMs: deps.config.sse.heartbeatMs,
      maxDurationMs: deps.config.sse.maxDurationMs,
      retryMs: deps.config.sse.retryMs,
      padToBytes: deps.config.sse.padBytes,
      signal: c.req.raw.signal,
      onClose: () => deps.streams.close(),
    });
    return new Response(body, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-transform",
        "X-Accel-Buffering": "no",
      },
    });
  });
}
