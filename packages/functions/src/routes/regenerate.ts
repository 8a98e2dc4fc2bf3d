import { admitRun, repliesTo, runRoomOf } from "@murmur/core/agent";
import { ConflictError, NotFoundError, UnavailableError } from "@murmur/core/errors";
import { sendRules, takeOrRefuse } from "@murmur/core/limits";
import { Hono } from "hono";
import * as v from "valibot";
import { readBody } from "../body.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { requireSession } from "../session.ts";
import { checkThreadId, ownedThread } from "../threads.ts";
import { runTrace } from "./send.ts";

const RegenerateBody = v.strictObject({
  /**
   * The attempt to start: one past the replies the client saw (the first reply is attempt
   * 0). It is the regeneration's idempotency key: a retry names the same attempt and
   * starts nothing new (see `replyAttempt`).
   */
  attempt: v.pipe(v.number("must be a number"), v.integer("must be an integer"), v.minValue(1, "must be at least 1")),
});

/**
 * `POST /api/chats/:threadId/messages/:messageId/regenerate`: a new reply to the thread's
 * last user message, as a new run (attempt `attempt`), also when the last reply
 * completed. 202 with the run that writes it; `duplicate` when that attempt had already
 * started (a retry, or another tab). 404 for an unknown message, 409 for one that is not
 * the thread's last user message or has no reply yet, or while a reply is in flight (a
 * new run waits its turn, as a send's does). It takes a send from the session's and the
 * thread's rates (429).
 */
export function regenerateRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().use(requireSession(deps)).post("/:threadId/messages/:messageId/regenerate", async (c) => {
    const threadId = c.req.param("threadId");
    checkThreadId(threadId);
    await takeOrRefuse(deps.limits.rates, c.var.sessionId, sendRules(deps.config.limits, c.var.sessionId, threadId));
    const thread = await ownedThread(deps, threadId, c.var.sessionId);
    const messageId = c.req.param("messageId");
    const { attempt } = await readBody(c, RegenerateBody);
    const { state } = await deps.log.snapshot(thread.id);
    const message = state.messages.find((m) => m.id === messageId && m.role === "user");
    if (!message) throw new NotFoundError(`message ${messageId} not found in thread ${thread.id}`);
    if (state.messages.findLast((m) => m.role === "user") !== message)
      throw new ConflictError(`message ${messageId} is not the thread's last message: only the last reply can be regenerated`);
    const replies = repliesTo(state.messages, messageId).length;
    if (replies === 0) throw new ConflictError(`message ${messageId} has no reply to regenerate yet; send it again instead`);
    const run = await admitRun(
      state.messages,
      { threadId: thread.id, userMessageId: messageId, regenerate: attempt },
      runRoomOf(deps.config),
    );
    try {
      await deps.invoker.invoke({ ...run, trace: runTrace(deps, c) });
    } catch (cause) {
      throw new UnavailableError("the reply could not be started; ask again with the same attempt", { cause });
    }
    return c.json({ messageId, runId: run.runId, attempt: run.attempt, duplicate: run.attempt < replies }, 202);
  });
}
