import type { Context } from "aws-lambda";
import { Resource } from "sst";
import { handleAgentDelivery } from "./agent-delivery.ts";
import { loadCloudConfig } from "./config.ts";
import { createCloudRunner } from "./deps.ts";
import { lambdaMetrics } from "./metrics.ts";

/** The Agent function: one reply per asynchronous invoke from send, landing once however often AWS delivers it. Metrics flush per invocation. */
const { config, stage } = loadCloudConfig(Resource);
const { metrics, flush } = lambdaMetrics("Agent", stage);
const runner = createCloudRunner(config, metrics);
export async function handler(payload: unknown, context: Context) {
  const remainingMs = context.getRemainingTimeInMillis();
  try {
    return await handleAgentDelivery(runner, payload, { remainingMs, attemptMs: remainingMs });
  } finally {
    flush();
  }
}
