import { type AgentRunRef, completionEvent, langGraphThreadId, parseLangGraphCompletion } from "@murmur/core/agent";
import { createRunSecrets, type RunSecrets } from "@murmur/core/auth";
import { isId } from "@murmur/core/chat";
import { NotFoundError, PayloadTooLargeError, ValidationError } from "@murmur/core/errors";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { parseJson } from "../body.ts";
import type { AppDeps, AppEnv } from "../deps.ts";

/** Where LangGraph's run completion arrives, with `?thread=&run=&secret=`. */
export const COMPLETION_PATH = "/api/webhook/langgraph";
/**
 * Where runs handed off before the completion had its own path were told to call back:
 * the signed webhook's path, told apart by its `secret` query. Still answered.
 */
export const LEGACY_COMPLETION_PATH = "/api/webhook/chat-response";
/** A completion carries the LangGraph thread's whole state, so it may outgrow the usual 64 KB. */
export const MAX_COMPLETION_BYTES = 4 * 1024 * 1024;

/** The `webhook` URL a LangGraph run is created with: `?thread=&run=&secret=<per-run secret>`. */
export async function langGraphWebhookUrl(publicUrl: string, secrets: RunSecrets, run: AgentRunRef): Promise<string> {
  const query = new URLSearchParams({ thread: run.threadId, run: run.runId, secret: await secrets.forRun(run) });
  return `${publicUrl}${COMPLETION_PATH}?${query}`;
}

/** The body limit for completions: {@link MAX_COMPLETION_BYTES}. */
export const limitCompletionBody: MiddlewareHandler = bodyLimit({
  maxSize: MAX_COMPLETION_BYTES,
  onError: () => {
    throw new PayloadTooLargeError(`LangGraph run completion exceeds ${MAX_COMPLETION_BYTES} bytes (4 MB)`);
  },
});

/**
 * Accepts LangGraph's run-completion call (`run_id`, `thread_id`, `status`, `values`,
 * `error`) and records the reply's end through ingestion: `message.completed` with the
 * last AI message, or `message.failed`. LangGraph does not sign webhooks, so the URL's
 * per-run secret is checked (constant time) before the body is read. A repeated
 * delivery, or one for a reply that already ended (e.g. stopped), writes nothing.
 */
export function langGraphCompletions(deps: AppDeps): (c: Context<AppEnv>) => Promise<Response> {
  const secrets = createRunSecrets(deps.config.webhookSecret);
  return async (c) => {
    const threadId = c.req.query("thread") ?? "";
    const runId = c.req.query("run") ?? "";
    if (!isId(threadId) || !isId(runId)) throw new ValidationError("invalid LangGraph webhook URL", ["thread, run: must be ids"]);
    await secrets.verify({ threadId, runId }, c.req.query("secret"));
    const completion = parseLangGraphCompletion(parseJson(await c.req.text()));
    if (completion.thread_id && completion.thread_id !== (await langGraphThreadId(threadId))) {
      throw new ValidationError("invalid LangGraph run completion", [`thread_id: is not the LangGraph thread of ${threadId}`]);
    }
    if (!(await deps.log.getThread(threadId))) throw new NotFoundError(`thread ${threadId} not found`);
    const { state } = await deps.log.snapshot(threadId);
    const message = state.messages.find((m) => m.runId === runId);
    if (!message) throw new NotFoundError(`run ${runId} not found in thread ${threadId}`);
    if (message.status !== "streaming") return c.json({ accepted: 0, duplicates: 1, results: [] });
    const results = await deps.ingest(threadId, [completionEvent({ threadId, runId, messageId: message.id }, completion)]);
    return c.json({
      accepted: results.filter((r) => !r.duplicate).length,
      duplicates: results.filter((r) => r.duplicate).length,
      results,
    });
  };
}
