import { isId } from "@murmur/core/chat";
import { ValidationError } from "@murmur/core/errors";
import { controlChannel, releaseStream } from "@murmur/core/sse";
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";
import { requireSession } from "../session.ts";
import { checkOwner, checkThreadId, endLapsed } from "../threads.ts";

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
      // The signal goes to the caller's own session channel: it can release only its own
      // streams, so no ownership read is needed (one command, not two).
      const threadId = c.req.param("threadId");
      const streamId = c.req.param("streamId");
      checkThreadId(threadId);
      if (!isId(streamId)) throw new ValidationError("invalid stream id", ["streamId: must be 1-64 characters of A-Z a-z 0-9 _ -"]);
      await releaseStream(deps.log, controlChannel(c.var.sessionId), threadId, streamId);
      return c.json({ closed: true }, 202);
    })
    .get("/:threadId/sync", async (c) => {
      const threadId = c.req.param("threadId");
      checkThreadId(threadId);
      // One read: the owner comes with the positions.
      const read = () => deps.log.positions(threadId, c.var.sessionId);
      let now = checkOwner({ id: threadId, ...(await read()) }, c.var.sessionId);
      // An idle tab's check touches the thread: a reply whose writer went away ends now, and the tab sees the change.
      if ((await endLapsed(deps, threadId, now.leases)) > 0) now = { id: threadId, ...(await read()) };
      const thisThread = now.cursor !== c.req.query("cursor");
      const threads = now.position !== c.req.query("position");
      c.header("Cache-Control", "no-store");
      if (!thisThread && !threads) return c.body(null, 304);
      return c.json({ cursor: now.cursor, position: now.position, thread: thisThread, threads });
    });
}
