import type { AgentInvoker, RunTurnDeps } from "@murmur/core/agent";
import { createAgentWebhookVerifier, createSessionTokens } from "@murmur/core/auth";
import type { MurmurConfig } from "@murmur/core/config";
import type { EventLog } from "@murmur/core/event-log";
import { createIngest, retryingIngest } from "@murmur/core/ingest";
import { type AgentOptions, createAgent } from "./agents.ts";
import { type AppDeps, createStreamGauge } from "./deps.ts";

// The wiring both runtimes share: each entry (local/, lambda/) picks its event log and
// its invoker, and builds the app's dependencies and the agent runner here, once.

/** The app's dependencies over `log`, with agent runs started by `invoker`. */
export function createAppDeps(config: MurmurConfig, log: EventLog, invoker: AgentInvoker): AppDeps {
  return {
    config,
    log,
    ingest: createIngest(log),
    invoker,
    sessions: createSessionTokens(config.sessionSecret, config.sessionTtlSeconds),
    webhooks: createAgentWebhookVerifier(config.webhookSecret),
    streams: createStreamGauge(),
  };
}

/**
 * What runs replies: the configured agent, writing through ingestion. A reply in
 * progress rides out an outage of the log's store for up to `storeRetryMs` instead of
 * failing (appends are idempotent, so a retried one lands once).
 */
export function createRunner(config: MurmurConfig, log: EventLog, storeRetryMs: number, agentOptions: AgentOptions = {}): RunTurnDeps {
  return {
    log,
    ingest: retryingIngest(createIngest(log), storeRetryMs),
    agent: createAgent(config, agentOptions),
    deltaWindowMs: config.agent.deltaWindowMs,
    historyLimit: config.agent.historyLimit,
  };
}
