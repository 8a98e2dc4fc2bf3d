import { type RunTrace, runRoomOf, sendUserMessage } from "@murmur/core/agent";
import { PayloadTooLargeError, UnavailableError } from "@murmur/core/errors";
import { IdSchema } from "@murmur/core/events";
import { sendRules, takeOrRefuse } from "@murmur/core/limits";
import { type Context, Hono } from "hono";
import * as v from "valibot";
import { readBody } from "../body.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { requireSession } from "../session.ts";
import { checkThreadId, ownedThread } from "../threads.ts";

const SendBody = v.strictObject({
  /** Made by the client, so a retried send is recognised and lands once. */
  messageId: IdSchema,
  text: v.pipe(
    v.string("must be a string"),
    v.check((t) => t.trim().length > 0, "must not be empty"),
  ),
});

/**
 * `POST /api/chats/:threadId/send`: appends the user's message and starts the agent
 * run, then answers 202 at once with the `runId` of the run that writes the reply (the
 * one to cancel). A retry with the same `messageId` writes nothing new (`duplicate:
 * true`) but starts the run again, which is itself idempotent: so a send whose run failed
 * to start can simply be retried, and one whose reply failed retryably starts the next
 * attempt (see `replyAttempt`).
 *
 * Limits (README "Limits"), cheapest first: the session's and the thread's send rates
 * (429, one limiter command), then one reply in flight per thread (409
 * `reply_in_progress`, decided over the snapshot the send reads anyway), then the
 * message's size (413). A refused send writes nothing.
 */
export function sendRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .use(requireSession(deps))
    .post("/:threadId/send", (c) =>
      deps.tracer.span("send", { "murmur.thread_id": c.req.param("threadId") }, () => send(deps, c), c.var.trace.traceparent),
    );
}

/**
 * The send itself. Its request id goes on the message and into the run it starts (so on
 * every event of the reply), with the send's span as the run's parent.
 */
async function send(deps: AppDeps, c: Context<AppEnv, "/:threadId/send">): Promise<Response> {
  const threadId = c.req.param("threadId");
  checkThreadId(threadId);
  await takeOrRefuse(deps.limits.rates, c.var.sessionId, sendRules(deps.config.limits, c.var.sessionId, threadId));
  const thread = await ownedThread(deps, threadId, c.var.sessionId);
  const { messageId, text } = await readBody(c, SendBody);
  const bytes = new TextEncoder().encode(text).length;
  const maxBytes = deps.config.limits.messageBytes;
  if (bytes > maxBytes) {
    throw new PayloadTooLargeError(`text is ${bytes} bytes; a message may hold at most ${maxBytes} bytes (LIMIT_MESSAGE_BYTES)`);
  }
  const sent = await sendUserMessage(
    { log: deps.log, ingest: deps.ingest, room: runRoomOf(deps.config) },
    { threadId: thread.id, messageId, text, trace: c.var.trace.requestId },
  );
  try {
    await deps.invoker.invoke({ ...sent.run, trace: runTrace(deps, c) });
  } catch (cause) {
    throw new UnavailableError("the message is stored but its reply could not be started; send it again with the same messageId", {
      cause,
    });
  }
  return c.json({ messageId, runId: sent.run.runId, cursor: sent.cursor, duplicate: sent.duplicate }, 202);
}

/** What a run started by this request descends from: its id, and the active span. */
export function runTrace(deps: AppDeps, c: Context<AppEnv>): RunTrace {
  const traceparent = deps.tracer.traceparent() ?? c.var.trace.traceparent;
  return traceparent ? { requestId: c.var.trace.requestId, traceparent } : { requestId: c.var.trace.requestId };
}
