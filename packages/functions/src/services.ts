import { createInProcessInvoker, type InProcessInvoker, runAgentTurn, stopHandedOffRun } from "@murmur/core/agent";
import { createSessionTokens, createWebhookVerifier } from "@murmur/core/auth";
import { createIngest, retryingIngest } from "@murmur/core/chat";
import type { MurmurConfig } from "@murmur/core/config";
import { createMemoryEventLog, createRedisEventLog, createUpstashEventLog, type EventLog } from "@murmur/core/event-log";
import { type AgentOptions, createAgent } from "./agents.ts";
import { type AppDeps, createStreamGauge } from "./deps.ts";

/** How long an agent run keeps retrying appends while the event log is unreachable. */
const AGENT_STORE_RETRY_MS = 60_000;

/** The event log the configuration asks for. */
export function createEventLog(config: MurmurConfig): EventLog {
  const settings = config.eventLog;
  const onError = rateLimitedWarning("event log reader");
  switch (settings.adapter) {
    case "memory":
      return createMemoryEventLog({ maxEventsPerThread: settings.maxEventsPerThread });
    case "redis":
      return createRedisEventLog({ ...settings, onError });
    case "upstash":
      return createUpstashEventLog({ ...settings, tailUrl: settings.tailUrl ?? undefined, onError });
  }
}

/** Logs a failing background loop at most once every 10 s, so an outage does not flood the log. */
function rateLimitedWarning(what: string): (error: unknown) => void {
  let last = 0;
  return (error) => {
    if (Date.now() - last < 10_000) return;
    last = Date.now();
    console.warn(`${what}: ${error instanceof Error ? error.message : String(error)} (retrying)`);
  };
}

/** App dependencies with agent runs as in-process tasks: the local server's composition. */
export function createLocalDeps(
  config: MurmurConfig,
  log: EventLog = createEventLog(config),
  agentOptions: AgentOptions = {},
): AppDeps & { invoker: InProcessInvoker } {
  const ingest = createIngest(log);
  // A reply in progress rides out a short outage of the log's store instead of failing.
  const agentIngest = retryingIngest(ingest, AGENT_STORE_RETRY_MS);
  const agent = createAgent(config, agentOptions);
  const runner = {
    log,
    ingest: agentIngest,
    agent,
    deltaWindowMs: config.agent.deltaWindowMs,
    historyLimit: config.agent.historyLimit,
  };
  const invoker = createInProcessInvoker({
    run: (request) => runAgentTurn(runner, request),
    stop: (run) => stopHandedOffRun(runner, run),
    onError: (error, what) => console.error(`${what} failed:`, error),
  });
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
