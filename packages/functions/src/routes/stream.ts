import { newId } from "@murmur/core/chat";
import { UnavailableError, ValidationError } from "@murmur/core/errors";
import { parseCursor, type ThreadRecord } from "@murmur/core/event-log";
import { holdOrRefuse, streamSlots } from "@murmur/core/limits";
import { controlChannel, encodeFrame, startEventStream } from "@murmur/core/sse";
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";
import { REQUEST_ID_HEADER } from "../request-context.ts";
import { requireSession } from "../session.ts";
import { LoggedSink } from "../stream-log.ts";
import { webStreamResponder } from "../stream-responder.ts";
import { ownedThread } from "../threads.ts";
import { clientId } from "./stream-control.ts";

/**
 * A stream refused for want of a slot (see `AppDeps.admission`) asks the browser to come
 * back after this long, or up to twice it (jitter, so refused browsers do not return together).
 */
export const BUSY_RETRY_MS = 30_000;
/** A slot outlives its stream's planned close by this much when the stream dies without freeing it. */
const SLOT_MARGIN_MS = 60_000;

const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
  "X-Content-Type-Options": "nosniff",
};

/**
 * `GET /api/chats/sse/:threadId`: the live stream. Resumes from `Last-Event-ID` (sent by
 * the browser on its own reconnects, so it wins) or `?after=`; neither gets a snapshot.
 * `?threads=1` adds the caller's thread list and its changes (see `openEventStream`'s
 * `owner`), so a tab keeps its sidebar live over the one connection it holds anyway.
 * `?client=<browser id>` makes it a controlled stream: `opened` tells its id, a newer
 * stream of the same browser and thread supersedes it, and the browser can release it
 * (see stream-control.ts).
 * A malformed cursor, a missing session and a foreign thread are final (400/401/403/404);
 * so is a session holding `LIMIT_STREAMS_PER_SESSION` streams already (429 with
 * `Retry-After`; the web app comes back after its back-off). Everything after the
 * headers is reported in-band.
 */
export function streamRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().use(requireSession(deps)).get("/:threadId", async (c) => {
    const after = c.req.header("Last-Event-ID") || c.req.query("after") || null;
    if (after !== null) parseCursor(after);
    const threads = c.req.query("threads");
    const client = clientId(c.req.query("client"));
    if (threads !== undefined && threads !== "1")
      throw new ValidationError("invalid query", [`threads: must be 1 when given, not "${threads.slice(0, 20)}"`]);
    // Errors a retry can fix are reported in-band (EventSource gives up for good on any
    // non-200), and the client comes back after `retry:`.
    const inBand = (reason: "error" | "busy", message: string, retryMs: number) =>
      new Response(encodeFrame({ retry: retryMs, event: "close", data: JSON.stringify({ reason, message }) }), { headers: SSE_HEADERS });
    const maxDurationMs = streamDuration(deps.config.sse.maxDurationMs, deps.streamBudgetMs?.(c));
    const streamId = newId("st");
    let thread: ThreadRecord;
    let releaseSession: () => Promise<void>;
    try {
      thread = await ownedThread(deps, c.req.param("threadId"), c.var.sessionId);
      // The session's slot first (429 past its limit), then one of the runtime's (in-band `busy`).
      // It lasts as long as the stream may, so one whose holder vanished frees itself.
      const slotMs = maxDurationMs > 0 ? maxDurationMs + SLOT_MARGIN_MS : UNBOUNDED_SLOT_MS;
      releaseSession = await holdOrRefuse(deps.limits.streams, c.var.sessionId, streamSlots(deps.config.limits), streamId, slotMs);
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      return inBand("error", error.message, deps.config.sse.retryMs);
    }
    const admission = deps.admission;
    if (admission) {
      const admitted = await admission
        .acquire(streamId, (maxDurationMs || deps.config.sse.maxDurationMs) + SLOT_MARGIN_MS)
        .catch((error: unknown) => (error instanceof UnavailableError ? error : Promise.reject(error)));
      if (admitted !== true) void releaseSession();
      if (admitted instanceof UnavailableError) return inBand("error", admitted.message, deps.config.sse.retryMs);
      if (!admitted) {
        const retryMs = Math.round(BUSY_RETRY_MS * (1 + Math.random()));
        return inBand("busy", "every stream slot is taken: this stream comes back by itself shortly", retryMs);
      }
    }
    deps.streams.open();
    const onStreamClose = deps.onStreamClose;
    const follows = 1 + (threads === "1" ? 1 : 0) + (client ? 1 : 0);
    const release = deps.announceFollows?.(follows);
    // The runtime's sink tells the stream when the client goes away (no request signal:
    // asking for it costs an AbortController per held connection on @hono/node-server).
    const options = {
      log: deps.log,
      threadId: thread.id,
      after,
      owner: threads === "1" ? c.var.sessionId : undefined,
      heartbeatMs: deps.config.sse.heartbeatMs,
      maxDurationMs,
      retryMs: deps.config.sse.retryMs,
      padToBytes: deps.config.sse.padBytes,
      maxBufferedBytes: deps.config.sse.maxBufferBytes,
      control: client ? { channel: controlChannel(c.var.sessionId), client, threadId: thread.id, streamId } : undefined,
      metrics: deps.metrics,
      onClose: (reason: string) => {
        release?.();
        deps.streams.close();
        admission?.release(streamId).catch(() => {}); // the slot's lease ends it anyway
        void releaseSession();
        onStreamClose?.(reason);
      },
    };
    const respond = deps.streamResponder ?? webStreamResponder;
    // The stream writes its own headers, the request id among them; nothing is added after.
    c.set("streaming", true);
    const headers = { ...SSE_HEADERS, [REQUEST_ID_HEADER]: c.var.trace.requestId };
    if (deps.config.log === "off") return respond(c, headers, (sink) => startEventStream(options, sink));
    const facts = { route: "/api/chats/sse/:threadId", threadId: thread.id, resumed: after !== null };
    return respond(c, headers, (sink) => startEventStream(options, new LoggedSink(sink, c.var.logger, facts)));
  });
}

/** A stream without a planned close (SSE_MAX_DURATION_MS=0) holds its slot until it ends, or a day. */
const UNBOUNDED_SLOT_MS = 24 * 3600_000;

/** The earlier of the configured planned close (0: none) and the runtime's bound, at least 1 ms. */
function streamDuration(configuredMs: number, budgetMs: number | undefined): number {
  if (budgetMs === undefined) return configuredMs;
  const bound = Math.max(1, Math.floor(budgetMs));
  return configuredMs > 0 ? Math.min(configuredMs, bound) : bound;
}
