import { ValidationError } from "@murmur/core/errors";
import { checkTitle, MAX_PAGE_SIZE, newThreadId } from "@murmur/core/event-log";
import { takeOrRefuse, threadRules } from "@murmur/core/limits";
import { Hono } from "hono";
import * as v from "valibot";
import { readBody } from "../body.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { requireSession } from "../session.ts";
import { checkThreadId, ownedThread } from "../threads.ts";

const CreateChatBody = v.strictObject({});
const RenameChatBody = v.strictObject({ title: v.string("must be a string") });

/**
 * `POST /api/chats`; `GET /api/chats?limit=&before=` (a page of the threads, the list
 * `position` they are current to, and the `next` page's cursor); `GET`, `PATCH` (rename)
 * and `DELETE /api/chats/:threadId`. Rename and delete are the owner's only and
 * idempotent: the same title again, or deleting a deleted thread, changes nothing and
 * answers as the first time did. Every tab learns of both over its thread-list stream.
 * Creating a thread takes one of the session's `LIMIT_THREADS_PER_HOUR` (429).
 */
export function chatRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .use(requireSession(deps))
    .post("/", async (c) => {
      await readBody(c, CreateChatBody);
      await takeOrRefuse(deps.limits.rates, c.var.sessionId, threadRules(deps.config.limits, c.var.sessionId));
      // The id carries its owner's hash tag: an owner's threads share a slot on a Redis Cluster.
      const thread = await deps.log.createThread({ id: newThreadId(c.var.sessionId), owner: c.var.sessionId, createdAt: Date.now() });
      return c.json({ thread }, 201);
    })
    .get("/", async (c) => {
      const limit = c.req.query("limit");
      if (limit !== undefined && !/^\d{1,3}$/.test(limit))
        throw new ValidationError("invalid query", [`limit: must be an integer from 1 to ${MAX_PAGE_SIZE}`]);
      const { threads, position, next } = await deps.log.listThreads(c.var.sessionId, {
        limit: limit === undefined ? undefined : Number(limit),
        before: c.req.query("before") || null,
      });
      return c.json({ threads, position, next });
    })
    .get("/:threadId", async (c) => {
      const thread = await ownedThread(deps, c.req.param("threadId"), c.var.sessionId);
      const { state, cursor } = await deps.log.snapshot(thread.id);
      return c.json({ thread, state, cursor });
    })
    .patch("/:threadId", async (c) => {
      const owned = await ownedThread(deps, c.req.param("threadId"), c.var.sessionId);
      const { title } = await readBody(c, RenameChatBody);
      const thread = await deps.log.renameThread(owned.id, checkTitle(title));
      return c.json({ thread });
    })
    .delete("/:threadId", async (c) => {
      const threadId = c.req.param("threadId");
      checkThreadId(threadId);
      // The log checks the owner itself: a deleted thread has only its tombstone left.
      await deps.log.deleteThread(threadId, c.var.sessionId);
      return c.body(null, 204);
    });
}
