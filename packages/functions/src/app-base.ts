import { Hono } from "hono";
import type { AppEnv } from "./deps.ts";
import { renderError } from "./errors.ts";
import { type Logger, silentLogger } from "./log.ts";
import { requestContext } from "./request-context.ts";

/**
 * What every app of Murmur starts with: paths under `/api`, a request id on every request
 * (echoed as `x-request-id`, on every log line through `c.var.logger`), and nosniff on
 * every response.
 */
export function createBaseApp(logger: Logger = silentLogger): Hono<AppEnv> {
  const app = new Hono<AppEnv>().basePath("/api");
  app.use("*", requestContext(logger));
  app.use("*", async (c, next) => {
    await next();
    // Only where the response lacks it: setting a header on a finished response makes Hono
    // copy it, which for a held stream means a second Response and body per connection.
    if (!c.res.headers.has("X-Content-Type-Options")) c.header("X-Content-Type-Options", "nosniff");
  });
  return app;
}

/** What every app ends with: the JSON 404 for unknown paths, and the one error renderer. */
export function finishApp(app: Hono<AppEnv>): Hono<AppEnv> {
  app.notFound((c) =>
    c.json({ error: { code: "not_found", message: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` } }, 404),
  );
  app.onError(renderError);
  return app;
}
