import { isId } from "@murmur/core/chat";
import { ValidationError } from "@murmur/core/errors";
import { controlChannel, releaseStream } from "@murmur/core/sse";
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";
import { requireSession } from "../session.ts";
import { ownedThread } from "../threads.ts";

/** The `client` query parameter: one browser's id, shared by its tabs (the web app keeps it in localStorage). */
export function clientId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isId(value)) throw new ValidationError("invalid query", ["client: must be 1-64 characters of A-Z a-z 0-9 _ -"]);
  return value;
}

/**
 * What lets a browser pay only for the streams it wants, without holding one to ask:
 * - `POST /api/chats/:threadId/streams/:streamId/close`: the browser dropped that
 *   stream (thread switch, linger end, pagehide): the stream ends within seconds instead
 *   of at its planned close (Lambda never learns that a streaming client left). 202.
 * - `GET /api/chats/:threadId/sync?cursor=&position=`: 304 when the thread's head is
 *   `cursor` and the owner's list is at `position`, else 200 with where both stand and
 *   which changed; one read of the log. An idle tab asks this instead of holding a stream.
 */
export function streamControlRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .use(requireSession(deps))
    .post("/:threadId/streams/:streamId/close", async (c) => {
      const thread = await ownedThread(deps.log, c.req.param("threadId"), c.var.sessionId);
      const streamId = c.req.param("streamId");
      if (!isId(streamId)) throw new ValidationError("invalid stream id", ["streamId: must be 1-64 characters of A-Z a-z 0-9 _ -"]);
      await releaseStream(deps.log, controlChannel(c.var.sessionId), thread.id, streamId);
      return c.json({ closed: true }, 202);
    })
    .get("/:threadId/sync", async (c) => {
      const thread = await ownedThread(deps.log, c.req.param("threadId"), c.var.sessionId);
      const now = await deps.log.positions(thread.id, c.var.sessionId);
      const thisThread = now.cursor !== c.req.query("cursor");
      const threads = now.position !== c.req.query("position");
      c.header("Cache-Control", "no-store");
      if (!thisThread && !threads) return c.body(null, 304);
      return c.json({ cursor: now.cursor, position: now.position, thread: thisThread, threads });
    });
}
