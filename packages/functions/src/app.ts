import type { Hono } from "hono";
import { createBaseApp, finishApp } from "./app-base.ts";
import { limitBody } from "./body.ts";
import type { AppDeps, AppEnv } from "./deps.ts";
import { chatRoutes } from "./routes/chats.ts";
import { healthRoutes } from "./routes/health.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { regenerateRoutes } from "./routes/regenerate.ts";
import { runRoutes } from "./routes/runs.ts";
import { sendRoutes } from "./routes/send.ts";
import { sessionRoutes } from "./routes/session.ts";
import { streamRoutes } from "./routes/stream.ts";
import { streamControlRoutes } from "./routes/stream-control.ts";
import { webhookRoutes } from "./routes/webhook.ts";
import { guardWrites } from "./write-guard.ts";

/**
 * The API, runtime-neutral: the local server and the Lambda entry points serve this
 * same app. Every path is under `/api`.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = createBaseApp(deps);
  // Writes: CSRF and content type (write-guard.ts), then the body limit. The webhook
  // routes set their own, one per protocol (see routes/webhook.ts).
  app.on(["POST", "PUT", "PATCH", "DELETE"], ["/session", "/chats", "/chats/*"], guardWrites(deps.config.publicUrl), limitBody);
  app.route("/", sessionRoutes(deps));
  app.route("/", healthRoutes(deps));
  app.route("/", metricsRoutes(deps));
  app.route("/chats/sse", streamRoutes(deps));
  app.route("/chats", sendRoutes(deps));
  app.route("/chats", runRoutes(deps));
  app.route("/chats", regenerateRoutes(deps));
  app.route("/chats", streamControlRoutes(deps));
  app.route("/chats", chatRoutes(deps));
  app.route("/webhook", webhookRoutes(deps));
  return finishApp(app, deps);
}
