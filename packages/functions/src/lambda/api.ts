import { handle } from "hono/aws-lambda";
import { Resource } from "sst";
import { createApp } from "../app.ts";
import { createAppDeps } from "../compose.ts";
import { createCloudInvoker } from "./agent-invoker.ts";
import { loadCloudConfig } from "./config.ts";
import { createCloudLimiter, createRestEventLog } from "./deps.ts";
import { lambdaLogger } from "./log-sink.ts";

/** The Api function (Function URL, buffered): session, chats, send, history; send and stop invoke Agent. */
const { config, agentFunction } = loadCloudConfig(Resource);
const log = createRestEventLog(config);
export const handler = handle(
  createApp(
    createAppDeps(config, log, createCloudInvoker(agentFunction), lambdaLogger(), { rates: createCloudLimiter(config, log.scriptRunner) }),
  ),
);
