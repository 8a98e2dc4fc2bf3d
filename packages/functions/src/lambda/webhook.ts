import { handle } from "hono/aws-lambda";
import { Resource } from "sst";
import { createAppDeps } from "../compose.ts";
import { createWebhookApp } from "../webhook-app.ts";
import { loadCloudConfig } from "./config.ts";
import { createRestEventLog, unlinkedInvoker } from "./deps.ts";
import { flushingAfter } from "./emf.ts";
import { lambdaLogger } from "./log-sink.ts";
import { lambdaMetrics } from "./metrics.ts";

/** The Webhook function (Function URL, buffered): signed agent events and LangGraph completions, and nothing else. Metrics flush per invocation. */
const { config, stage } = loadCloudConfig(Resource);
const { metrics, flush } = lambdaMetrics("Webhook", stage);
const deps = createAppDeps(config, createRestEventLog(config, metrics), unlinkedInvoker, lambdaLogger(), {}, { metrics });
export const handler = flushingAfter(handle(createWebhookApp(deps)), flush);
