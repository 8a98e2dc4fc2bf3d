import { UnauthorizedError } from "@murmur/core/errors";
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";

/**
 * `GET /api/metrics`: the metrics in Prometheus' text format for a scraper that reaches
 * the app only through its own port, with `Authorization: Bearer <METRICS_TOKEN>`. 404
 * unless the runtime configured it (the local server with `METRICS_TOKEN`); 401 without
 * the token. The token is compared in constant time.
 */
export function metricsRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/metrics", async (c) => {
    const endpoint = deps.metricsEndpoint;
    if (!endpoint) return c.notFound();
    const given = /^Bearer (.+)$/.exec(c.req.header("Authorization") ?? "")?.[1] ?? "";
    if (!sameText(given, endpoint.token)) throw new UnauthorizedError("metrics need Authorization: Bearer <METRICS_TOKEN>");
    const { contentType, body } = await endpoint.scrape();
    return c.body(body, 200, { "Content-Type": contentType, "Cache-Control": "no-store" });
  });
}

function sameText(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
