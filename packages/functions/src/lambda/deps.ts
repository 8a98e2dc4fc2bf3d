import type { AgentInvoker, RunTurnDeps } from "@murmur/core/agent";
import { ConfigError, type MurmurConfig } from "@murmur/core/config";
import { createUpstashEventLog, type EventLog } from "@murmur/core/event-log";
import { createAppDeps, createRunner } from "../compose.ts";
import type { AppDeps } from "../deps.ts";
import type { AgentPayload } from "./agent-delivery.ts";
import { createLambdaInvoker } from "./invoker.ts";

/** How long an agent run keeps retrying appends while Upstash is unreachable. */
const AGENT_STORE_RETRY_MS = 30_000;

/**
 * The cloud event log: Upstash, written and ranged over REST (no connection to set up
 * per cold start). With `blockingTails` (Stream, the one function that follows threads
 * live) tails block over Upstash's TCP endpoint; the others open no TCP connection.
 */
export function createCloudEventLog(config: MurmurConfig, blockingTails: boolean): EventLog {
  const settings = config.eventLog;
  if (settings.adapter !== "upstash") throw new ConfigError("cloud mode needs the Upstash event log: link Upstash in sst.config.ts");
  const onError = (error: unknown) => console.warn(`event log reader: ${error instanceof Error ? error.message : String(error)}`);
  return createUpstashEventLog({ ...settings, tailUrl: blockingTails ? (settings.tailUrl ?? undefined) : undefined, onError });
}

/**
 * Starts runs, and stops handed-off ones, on the Agent function with an asynchronous
 * invoke. A run request names its attempt (see `replyAttempt`), so Lambda's
 * redeliveries land once; a stop is idempotent by itself.
 */
export function createCloudInvoker(agentFunction: string | null): AgentInvoker {
  if (!agentFunction) {
    const unlinked = async () => {
      throw new ConfigError("this function cannot reach agents: Agent is not linked to it (send and stop are served by Api)");
    };
    return { invoke: unlinked, cancel: unlinked };
  }
  const lambda = createLambdaInvoker<AgentPayload>({ functionName: agentFunction });
  return {
    invoke: (request) => lambda.invoke({ threadId: request.threadId, userMessageId: request.userMessageId, attempt: request.attempt }),
    cancel: (run) => lambda.invoke({ type: "stop", threadId: run.threadId, runId: run.runId }),
  };
}

/** The app's dependencies in a Lambda function. */
export function createCloudDeps(
  config: MurmurConfig,
  options: { readonly agentFunction: string | null; readonly blockingTails: boolean },
): AppDeps {
  return createAppDeps(config, createCloudEventLog(config, options.blockingTails), createCloudInvoker(options.agentFunction));
}

/**
 * What the Agent function runs replies with: the configured agent, writing through
 * ingestion over REST. It learns of a stop from its own appends (and one read a second
 * while it appends nothing), not from a read loop: every command is billed.
 */
export function createCloudRunner(config: MurmurConfig): RunTurnDeps {
  return createRunner(config, createCloudEventLog(config, false), { storeRetryMs: AGENT_STORE_RETRY_MS, cancelWatch: "appends" });
}
