import { handle } from "hono/aws-lambda";
import { Resource } from "sst";
import { createApp } from "../app.ts";
import { createAppDeps } from "../compose.ts";
import { createCloudInvoker } from "./agent-invoker.ts";
import { loadCloudConfig } from "./config.ts";
import { createRestEventLog } from "./deps.ts";
import { lambdaLogger } from "./log-sink.ts";

/** The Api function (Function URL, buffered): session, chats, send, history; send and stop invoke Agent. */
const { config, agentFunction } = loadCloudConfig(Resource);
export const handler = handle(
  createApp(createAppDeps(config, createRestEventLog(config), createCloudInvoker(agentFunction), lambdaLogger())),
);
