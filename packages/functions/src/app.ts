import { Hono } from "hono";
import { limitBody } from "./body.ts";
import type { AppDeps, AppEnv } from "./deps.ts";
import { renderError } from "./errors.ts";
import { requestLog } from "./request-log.ts";
import { chatRoutes } from "./routes/chats.ts";
import { healthRoutes } from "./routes/health.ts";
import { runRoutes } from "./routes/runs.ts";
import { sendRoutes } from "./routes/send.ts";
import { sessionRoutes } from "./routes/session.ts";
import { streamRoutes } from "./routes/stream.ts";
import { streamControlRoutes } from "./routes/stream-control.ts";
import { webhookRoutes } from "./routes/webhook.ts";

/**
 * The API, runtime-neutral: the local server and the Lambda entry points serve this
 * same app. Every path is under `/api`.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
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
  // The webhook routes set their own limits, one per protocol (see routes/webhook.ts).
  app.on(["POST", "PUT", "PATCH", "DELETE"], ["/session", "/chats", "/chats/*"], limitBody);
  app.route("/", sessionRoutes(deps));
  app.route("/", healthRoutes(deps));
  app.route("/chats/sse", streamRoutes(deps));
  app.route("/chats", sendRoutes(deps));
  app.route("/chats", runRoutes(deps));
  app.route("/chats", streamControlRoutes(deps));
  app.route("/chats", chatRoutes(deps));
  app.route("/webhook", webhookRoutes(deps));
  app.notFound((c) =>
    c.json({ error: { code: "not_found", message: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` } }, 404),
  );
  app.onError((error, c) => renderError(error, c, deps.logger));
  return app;
}
