import { awaitStop, runEventIds, stopGraceMs } from "@murmur/core/agent";
import { newId } from "@murmur/core/chat";
import { NotFoundError, UnavailableError } from "@murmur/core/errors";
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";
import { requireSession } from "../session.ts";
import { ownedThread } from "../threads.ts";

/**
 * `POST /api/chats/:threadId/runs/:runId/cancel`: stops the run. The request is a
 * `run.cancel_requested` event in the thread's log, where the runner (in this process or
 * another Lambda) sees it and stops; its `message.failed` (kind `stopped`) records the end. A run
 * a webhook agent took over has no runner left, so the invoker also hands the stop to
 * where the agent is configured (this process, or the Agent function), which cancels it
 * at the provider (the answer is then `stopping`). Otherwise the answer waits for the end
 * (`status` is the reply's: `failed` once stopped); a reply still streaming after the
 * grace ({@link stopGraceMs}) lost its runner (a crash) and the stop ends it itself. Idempotent: asking again, or after the reply
 * ended, changes nothing. 202, or 503 when the stop could not be handed on (asking again is safe).
 *
 * `POST /api/chats/:threadId/read`: the owner has seen the thread; recorded as a
 * `thread.read` event (server time) so every tab and device clears the unread badge.
 */
export function runRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .use(requireSession(deps))
    .post("/:threadId/runs/:runId/cancel", async (c) => {
      const thread = await ownedThread(deps, c.req.param("threadId"), c.var.sessionId);
      const runId = c.req.param("runId");
      const { state } = await deps.log.snapshot(thread.id);
      const message = state.messages.find((m) => m.role === "assistant" && m.runId === runId);
      if (!message) throw new NotFoundError(`run ${runId} not found in thread ${thread.id}`);
      if (message.status !== "streaming") return c.json({ runId, status: message.status }, 202);
      await deps.ingest(thread.id, [
        { id: runEventIds.cancel(runId), threadId: thread.id, at: Date.now(), type: "run.cancel_requested", runId, messageId: message.id },
      ]);
      try {
        await deps.invoker.cancel({ threadId: thread.id, runId });
      } catch (cause) {
        throw new UnavailableError("the stop is recorded but could not reach the agent; ask again", { cause });
      }
      // A webhook agent's run (LangGraph) is stopped at its provider, which reports the end:
      // the invoker handed the stop on. Any other reply ends within moments, and one whose
      // runner is gone is ended by this stop.
      if (deps.config.agent.kind === "langgraph") return c.json({ runId, status: "stopping" }, 202);
      const status = await awaitStop(
        deps,
        { threadId: thread.id, runId, messageId: message.id },
        stopGraceMs(deps.config.agent.deltaWindowMs),
      );
      return c.json({ runId, status }, 202);
    })
    .post("/:threadId/read", async (c) => {
      const thread = await ownedThread(deps, c.req.param("threadId"), c.var.sessionId);
      const at = Date.now();
      await deps.ingest(thread.id, [{ id: newId("read"), threadId: thread.id, at, type: "thread.read" }]);
      return c.json({ readAt: at }, 202);
    });
}
