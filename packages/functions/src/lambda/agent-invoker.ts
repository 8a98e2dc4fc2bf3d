import type { AgentInvoker } from "@murmur/core/agent";
import type { AgentPayload } from "./agent-delivery.ts";
import { unlinkedInvoker } from "./deps.ts";
import { createLambdaInvoker } from "./invoker.ts";

/**
 * Starts runs, and stops handed-off ones, on the Agent function with an asynchronous
 * invoke; the Api function's invoker (the only one that bundles the Lambda client). A
 * run request names its attempt (see `replyAttempt`), so Lambda's redeliveries land
 * once; a stop is idempotent by itself. Without an Agent link, send and stop fail with
 * a ConfigError.
 */
export function createCloudInvoker(agentFunction: string | null): AgentInvoker {
  if (!agentFunction) return unlinkedInvoker;
  const lambda = createLambdaInvoker<AgentPayload>({ functionName: agentFunction });
  return {
    invoke: (request) =>
      lambda.invoke({
        threadId: request.threadId,
        userMessageId: request.userMessageId,
        attempt: request.attempt,
        ...(request.trace ? { trace: request.trace } : {}),
      }),
    cancel: (run) => lambda.invoke({ type: "stop", threadId: run.threadId, runId: run.runId }),
  };
}
