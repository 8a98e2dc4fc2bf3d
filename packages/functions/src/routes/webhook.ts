import { ValidationError } from "@murmur/core/errors";
import { IdSchema } from "@murmur/core/events";
import { Hono } from "hono";
import * as v from "valibot";
import { limitBody, parseJson } from "../body.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { langGraphCompletions, limitCompletionBody } from "./langgraph-webhook.ts";
import { webhookOutcomes } from "./webhook-outcomes.ts";

const WebhookBody = v.object({
  threadId: IdSchema,
  events: v.array(v.unknown(), "must be an array of events"),
});

/** `webhook-id` values that can prefix event ids (the event-id alphabet, with room for the index). */
const WEBHOOK_ID = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * The webhook routes, one protocol each, each with its own body limit:
 * - `POST /api/webhook/chat-response`: events from an external agent, signed per
 *   Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) or with
 *   the legacy `X-Murmur-Signature`; the signature is checked over the raw body before
 *   anything is parsed. With Standard Webhooks the `webhook-id` is the delivery's
 *   idempotency key: an event without an `id` gets `wh:<webhook-id>:<index>`, so a
 *   redelivery lands once. Events that carry ids are idempotent by themselves.
 * - `POST /api/webhook/langgraph`: LangGraph run completions (see langgraph-webhook.ts).
 * - Legacy: runs handed to LangGraph before the completion had its own path call
 *   `chat-response?thread=&run=&secret=`; that URL is still answered as a completion.
 */
export function webhookRoutes(deps: AppDeps): Hono<AppEnv> {
  const completion = langGraphCompletions(deps);
  return new Hono<AppEnv>()
    .use(webhookOutcomes(deps.metrics))
    .post("/langgraph", limitCompletionBody, completion)
    .post("/chat-response", async (c, next) => {
      if (c.req.query("secret") === undefined) return next();
      await limitCompletionBody(c, async () => {
        c.res = await completion(c);
      });
    })
    .post("/chat-response", limitBody, async (c) => {
      const raw = await c.req.text();
      const verified = await deps.webhooks.verify((name) => c.req.header(name), raw);
      if (verified.scheme === "standard" && !WEBHOOK_ID.test(verified.webhookId)) {
        throw new ValidationError("invalid webhook", ["webhook-id: must be 1-100 characters of A-Z a-z 0-9 _ . -"]);
      }
      const parsed = v.safeParse(WebhookBody, parseJson(raw));
      if (!parsed.success) {
        throw new ValidationError(
          "invalid webhook body",
          parsed.issues.map((i) => `${v.getDotPath(i) ?? "body"}: ${i.message}`),
        );
      }
      const { threadId } = parsed.output;
      const events =
        verified.scheme === "standard"
          ? parsed.output.events.map((event, index) => withDefaultId(event, `wh:${verified.webhookId}:${index}`))
          : parsed.output.events;
      // An unknown thread is refused by ingestion itself (404), after the whole batch validated.
      const results = await deps.ingest(threadId, events);
      return c.json({
        accepted: results.filter((r) => !r.duplicate).length,
        duplicates: results.filter((r) => r.duplicate).length,
        results,
      });
    });
}

function withDefaultId(event: unknown, id: string): unknown {
  return typeof event === "object" && event !== null && !("id" in event) ? { id, ...event } : event;
}
