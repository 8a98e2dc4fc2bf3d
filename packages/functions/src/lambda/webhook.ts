import { handle } from "hono/aws-lambda";
import { Resource } from "sst";
import { createAppDeps } from "../compose.ts";
import { createWebhookApp } from "../webhook-app.ts";
import { loadCloudConfig } from "./config.ts";
import { createRestEventLog, unlinkedInvoker } from "./deps.ts";
import { lambdaLogger } from "./log-sink.ts";

/** The Webhook function (Function URL, buffered): signed agent events and LangGraph completions, and nothing else. */
const { config } = loadCloudConfig(Resource);
export const handler = handle(createWebhookApp(createAppDeps(config, createRestEventLog(config), unlinkedInvoker, lambdaLogger())));
