import { handle } from "hono/aws-lambda";
import { Resource } from "sst";
import { createApp } from "../app.ts";
import { createCloudDeps } from "../cloud.ts";
import { loadCloudConfig } from "../config.ts";

/** The Webhook function (Function URL, buffered): signed agent events and LangGraph completions. */
const { config, agentFunction } = loadCloudConfig(Resource);
export const handler = handle(createApp(createCloudDeps(config, { agentFunction, blockingTails: false })));
