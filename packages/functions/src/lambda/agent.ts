import type { Context } from "aws-lambda";
import { Resource } from "sst";
import { errorText } from "../log.ts";
import { withFields } from "../request-context.ts";
import { handleAgentDelivery } from "./agent-delivery.ts";
import { loadCloudConfig } from "./config.ts";
import { createCloudRunner } from "./deps.ts";
import { lambdaLogger } from "./log-sink.ts";
import { lambdaMetrics } from "./metrics.ts";

/** The request id of the send that asked for this run (`RunRequest.trace`), when the payload carries one. */
function requestIdOf(payload: unknown): string | undefined {
  const trace = typeof payload === "object" && payload !== null && "trace" in payload ? (payload.trace as { requestId?: unknown }) : null;
  return typeof trace?.requestId === "string" ? trace.requestId : undefined;
}

/** The Agent function: one reply per asynchronous invoke from send, landing once however often AWS delivers it. Metrics flush per invocation. */
const { config, stage } = loadCloudConfig(Resource);
const { metrics, flush } = lambdaMetrics("Agent", stage);
const runner = createCloudRunner(config, metrics);
const baseLogger = lambdaLogger();
export async function handler(payload: unknown, context: Context) {
  const started = performance.now();
  const remainingMs = context.getRemainingTimeInMillis();
  const threadId = typeof payload === "object" && payload !== null && "threadId" in payload ? String(payload.threadId) : undefined;
  const durationMs = () => Math.round(performance.now() - started);
  // Its lines carry the send's request id: one reply followed from Api into Agent.
  const logger = withFields(baseLogger, { requestId: requestIdOf(payload) });
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
