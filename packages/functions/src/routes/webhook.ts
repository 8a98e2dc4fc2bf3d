import { SIGNATURE_HEADER } from "@murmur/core/auth";
import { IdSchema } from "@murmur/core/chat";
import { NotFoundError, ValidationError } from "@murmur/core/errors";
import { Hono } from "hono";
import * as v from "valibot";
import { parseJson } from "../body.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { isLangGraphCompletion, langGraphCompletions } from "./langgraph-webhook.ts";

const WebhookBody = v.object({
  threadId: IdSchema,
  events: v.array(v.unknown(), "must be an array of events"),
});

/**
 * `POST /api/webhook/chat-response`: events from an external agent, signed with
 * `WEBHOOK_SECRET` (see `X-Murmur-Signature`). The signature is checked over the raw
 * body before anything is parsed. Delivering the same events twice is harmless.
 * LangGraph run completions (a per-run secret in the query) take their own path.
 */
export function webhookRoutes(deps: AppDeps): Hono<AppEnv> {
  const langGraph = langGraphCompletions(deps);
  return new Hono<AppEnv>().post("/chat-response", async (c) => {
    if (isLangGraphCompletion(c)) return langGraph(c);
    const raw = await c.req.text();
    await deps.webhooks.verify(c.req.header(SIGNATURE_HEADER), raw);
    const parsed = v.safeParse(WebhookBody, parseJson(raw));
    if (!parsed.success) {
      throw new ValidationError(
        "invalid webhook body",
        parsed.issues.map((i) => `${v.getDotPath(i) ?? "body"}: ${i.message}`),
      );
    }
    const { threadId, events } = parsed.output;
    if (!(await deps.log.getThread(threadId))) throw new NotFoundError(`thread ${threadId} not found`);
    const results = await deps.ingest(threadId, events);
    return c.json({
      accepted: results.filter((r) => !r.duplicate).length,
      duplicates: results.filter((r) => r.duplicate).length,
      results,
    });
  });
}
