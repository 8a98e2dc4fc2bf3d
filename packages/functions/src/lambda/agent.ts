import type { Context } from "aws-lambda";
import { Resource } from "sst";
import { handleAgentDelivery } from "./agent-delivery.ts";
import { loadCloudConfig } from "./config.ts";
import { createCloudRunner } from "./deps.ts";

/** The Agent function: one reply per asynchronous invoke from send, landing once however often AWS delivers it. */
const { config } = loadCloudConfig(Resource);
const runner = createCloudRunner(config);
export async function handler(payload: unknown, context: Context) {
  const remainingMs = context.getRemainingTimeInMillis();
  return handleAgentDelivery(runner, payload, { remainingMs, attemptMs: remainingMs });
}
