import { newThreadId } from "@murmur/core/event-log";
import { Hono } from "hono";
import * as v from "valibot";
import { readBody } from "../body.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { requireSession } from "../session.ts";
import { ownedThread } from "../threads.ts";

const CreateChatBody = v.strictObject({});

/**
 * `POST /api/chats`, `GET /api/chats` (the threads and the list `position` they are
 * current to), `GET /api/chats/:threadId`.
 */
export function chatRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .use(requireSession(deps))
    .post("/", async (c) => {
      await readBody(c, CreateChatBody);
      // The id carries its owner's hash tag: an owner's threads share a slot on a Redis Cluster.
      const thread = await deps.log.createThread({ id: newThreadId(c.var.sessionId), owner: c.var.sessionId, createdAt: Date.now() });
      return c.json({ thread }, 201);
    })
    .get("/", async (c) => {
      const { threads, position } = await deps.log.listThreads(c.var.sessionId);
      return c.json({ threads, position });
    })
    .get("/:threadId", async (c) => {
      const thread = await ownedThread(deps, c.req.param("threadId"), c.var.sessionId);
      const { state, cursor } = await deps.log.snapshot(thread.id);
      return c.json({ thread, state, cursor });
    });
}
