import { type Context, Hono } from "hono";
import type { AppDeps, AppEnv } from "./deps.ts";
import { renderError } from "./errors.ts";
import { requestContext } from "./request-context.ts";
import { requestLog } from "./request-log.ts";

/**
 * What every app of Murmur starts with: paths under `/api`, a request id on every request
 * (echoed as `x-request-id`, on every log line through `c.var.logger`), one log line per
 * request (unless `MURMUR_LOG=off`), nosniff and no-store on every response.
 */
export function createBaseApp(deps: Pick<AppDeps, "config" | "logger">): Hono<AppEnv> {
  const app = new Hono<AppEnv>().basePath("/api");
  app.use("*", requestContext(deps.logger));
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

/**
 * What every app ends with: the JSON 405 (with `Allow`) for a known path asked with a
 * method it does not answer, the JSON 404 for unknown paths (so nothing under `/api` ever
 * falls through to the web app's page), and the one error renderer.
 */
export function finishApp(app: Hono<AppEnv>, deps: Pick<AppDeps, "logger">): Hono<AppEnv> {
  // The app's own routes, not its middleware (registered for every method or a wildcard).
  const routes = app.routes
    .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
    .map((r) => ({ method: r.method, pattern: new RegExp(`^${r.path.replace(/:[^/]+/g, "[^/]+")}/?$`) }));
  const notFound = (c: Context) => {
    const path = new URL(c.req.url).pathname;
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      if (allowed.includes("GET")) allowed.push("HEAD");
      c.header("Allow", allowed.join(", "));
      return c.json(
        { error: { code: "method_not_allowed", message: `${c.req.method} is not allowed on ${path}: use ${allowed.join(", ")}` } },
        405,
      );
    }
    return c.json({ error: { code: "not_found", message: `no route for ${c.req.method} ${path}` } }, 404);
  };
  app.all("*", notFound);
  app.notFound(notFound);
  app.onError((error, c) => renderError(error, c, deps.logger));
  return app;
}
