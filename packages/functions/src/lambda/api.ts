import { handle } from "hono/aws-lambda";
import { Resource } from "sst";
import { createApp } from "../app.ts";
import { createAppDeps } from "../compose.ts";
import { createCloudInvoker } from "./agent-invoker.ts";
import { loadCloudConfig } from "./config.ts";
import { createCloudLimiter, createRestEventLog } from "./deps.ts";
import { flushingAfter } from "./emf.ts";
import { lambdaLogger } from "./log-sink.ts";
import { lambdaMetrics } from "./metrics.ts";

/** The Api function (Function URL, buffered): session, chats, send, history; send and stop invoke Agent. Metrics flush per invocation. */
const { config, agentFunction, stage } = loadCloudConfig(Resource);
const { metrics, flush } = lambdaMetrics("Api", stage);
const log = createRestEventLog(config, metrics);
const limits = { rates: createCloudLimiter(config, log.scriptRunner) };
const deps = createAppDeps(config, log, createCloudInvoker(agentFunction), lambdaLogger(), limits, { metrics });
export const handler = flushingAfter(handle(createApp(deps)), flush);
