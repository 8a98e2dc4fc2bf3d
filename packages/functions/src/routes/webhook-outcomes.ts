import { type Metrics, WEBHOOK_REQUESTS } from "@murmur/core/metrics";
import type { MiddlewareHandler } from "hono";

/** A refused webhook's outcome, by the status the one error renderer gave it. */
const REFUSED: Readonly<Record<number, string>> = {
  400: "bad_body",
  401: "bad_signature",
  404: "not_found",
  413: "too_large",
  503: "unavailable",
};

/**
 * Counts every webhook request by outcome (`murmur_webhook_requests_total`): `accepted`
 * when it wrote at least one event, `duplicate` when everything in it was already there,
 * else why it was refused. Read from the answer, once, so no handler counts anything.
 */
export function webhookOutcomes(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    await next();
    let outcome = REFUSED[c.res.status] ?? (c.res.status === 200 ? "accepted" : "error");
    if (c.res.status === 200) {
      const answer = (await c.res
        .clone()
        .json()
        .catch(() => null)) as { accepted?: number } | null;
      if (answer?.accepted === 0) outcome = "duplicate";
    }
    metrics.counter(WEBHOOK_REQUESTS, { outcome }).inc();
  };
}
