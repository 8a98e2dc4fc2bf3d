import type { Hono } from "hono";
import { createBaseApp, finishApp } from "./app-base.ts";
import type { AppDeps, AppEnv } from "./deps.ts";
import { healthRoutes } from "./routes/health.ts";
import { webhookRoutes } from "./routes/webhook.ts";

/**
 * The app of the Webhook function: the webhook routes and health, nothing else. Its
 * Function URL is the one open to the internet (agents post to it directly), so it
 * serves only what authenticates itself; and its bundle holds only what it serves.
 */
export function createWebhookApp(deps: AppDeps): Hono<AppEnv> {
  const app = createBaseApp(deps);
  app.route("/", healthRoutes(deps));
  app.route("/webhook", webhookRoutes(deps));
  return finishApp(app, deps);
}
