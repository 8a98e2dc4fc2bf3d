import { createDemoAgent, createInProcessInvoker, type InProcessInvoker, runAgentTurn } from "@murmur/core/agent";
import { createSessionTokens, createWebhookVerifier } from "@murmur/core/auth";
import { createIngest } from "@murmur/core/chat";
import type { MurmurConfig } from "@murmur/core/config";
import { createMemoryEventLog, type EventLog } from "@murmur/core/event-log";
import { type AppDeps, createStreamGauge } from "./deps.ts";

/** The event log the configuration asks for. */
export function createEventLog(config: MurmurConfig): EventLog {
  return createMemoryEventLog({ maxEventsPerThread: config.eventLog.maxEventsPerThread });
}

/** The agent the configuration asks for. */
export function createAgent(config: MurmurConfig) {
  return createDemoAgent({ paceMs: config.agent.paceMs });
}

/** App dependencies with agent runs as in-process tasks: the local server's composition. */
export function createLocalDeps(config: MurmurConfig, log: EventLog = createEventLog(config)): AppDeps & { invoker: InProcessInvoker } {
  const ingest = createIngest(log);
  const agent = createAgent(config);
  const invoker = createInProcessInvoker(
    (request) =>
      runAgentTurn({ log, ingest, agent, deltaWindowMs: config.agent.deltaWindowMs, historyLimit: config.agent.historyLimit }, request),
    (error, request) => console.error(`agent run for ${request.threadId}/${request.userMessageId} failed:`, error),
  );
  return {
    config,
    log,
    ingest,
    invoker,
    sessions: createSessionTokens(config.sessionSecret, config.sessionTtlSeconds),
    webhooks: createWebhookVerifier(config.webhookSecret),
    streams: createStreamGauge(),
  };
}
