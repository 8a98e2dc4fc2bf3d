import { handle } from "hono/aws-lambda";
import { Resource } from "sst";
import { createApp } from "../app.ts";
import { createAppDeps } from "../compose.ts";
import { loadCloudConfig } from "./config.ts";
import { createRestEventLog, unlinkedInvoker } from "./deps.ts";
import { lambdaLogger } from "./log-sink.ts";

/** The Webhook function (Function URL, buffered): signed agent events and LangGraph completions. */
const { config } = loadCloudConfig(Resource);
export const handler = handle(createApp(createAppDeps(config, createRestEventLog(config), unlinkedInvoker, lambdaLogger())));
