import type { Context } from "aws-lambda";
import { Resource } from "sst";
import { errorText } from "../log.ts";
import { handleAgentDelivery } from "./agent-delivery.ts";
import { loadCloudConfig } from "./config.ts";
import { createCloudRunner } from "./deps.ts";
import { lambdaLogger } from "./log-sink.ts";
import { lambdaMetrics } from "./metrics.ts";

/** The Agent function: one reply per asynchronous invoke from send, landing once however often AWS delivers it. Metrics flush per invocation. */
const { config, stage } = loadCloudConfig(Resource);
const { metrics, flush } = lambdaMetrics("Agent", stage);
const runner = createCloudRunner(config, metrics);
const logger = lambdaLogger();
export async function handler(payload: unknown, context: Context) {
  const started = performance.now();
  const remainingMs = context.getRemainingTimeInMillis();
  const threadId = typeof payload === "object" && payload !== null && "threadId" in payload ? String(payload.threadId) : undefined;
  const durationMs = () => Math.round(performance.now() - started);
  try {
    const outcome = await handleAgentDelivery(runner, payload, { remainingMs, attemptMs: remainingMs });
    logger.info("agent", { threadId, outcome, durationMs: durationMs() });
    return outcome;
  } catch (error) {
    // Thrown: AWS retries the invoke (the delivery lands once).
    logger.error("agent", { threadId, outcome: "error", error: errorText(error), durationMs: durationMs() });
    throw error;
  } finally {
    flush();
  }
}
