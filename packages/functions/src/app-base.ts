import { Hono } from "hono";
import type { AppDeps, AppEnv } from "./deps.ts";
import { renderError } from "./errors.ts";
import { requestLog } from "./request-log.ts";

/**
 * What every app of Murmur starts with: paths under `/api`, one log line per request
 * (unless `MURMUR_LOG=off`), nosniff and no-store on every response.
 */
export function createBaseApp(deps: Pick<AppDeps, "config" | "logger">): Hono<AppEnv> {
  const app = new Hono<AppEnv>().basePath("/api");
  if (deps.config.log !== "off") app.use("*", requestLog(deps.logger));
  app.use("*", async (c, next) => {
    await next();
    // Only where the response lacks them: setting a header on a finished response makes Hono
    // copy it, which for a held stream means a second Response and body per connection (a
    // stream, and the Node server's already-sent marker, carry nosniff: left alone). Every
    // other answer is the caller's own (a session, its threads, a token): no cache on the way
    // (CloudFront, a proxy, the browser) may keep or share it.
    if (c.res.headers.has("X-Content-Type-Options")) return;
    c.header("X-Content-Type-Options", "nosniff");
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });
  return app;
}

/** What every app ends with: the JSON 404 for unknown paths, and the one error renderer. */
export function finishApp(app: Hono<AppEnv>, deps: Pick<AppDeps, "logger">): Hono<AppEnv> {
  app.notFound((c) =>
    c.json({ error: { code: "not_found", message: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` } }, 404),
  );
  app.onError((error, c) => renderError(error, c, deps.logger));
  return app;
}
