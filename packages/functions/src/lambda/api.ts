import { handle } from "hono/aws-lambda";
import { Resource } from "sst";
import { createApp } from "../app.ts";
import { loadCloudConfig } from "./config.ts";
import { createCloudDeps } from "./deps.ts";

/** The Api function (Function URL, buffered): session, chats, send, history. */
const { config, agentFunction } = loadCloudConfig(Resource);
export const handler = handle(createApp(createCloudDeps(config, { agentFunction, blockingTails: false })));
