import type { AgentInvoker, RunTurnDeps } from "@murmur/core/agent";
import { createAgentWebhookVerifier, createSessionTokens } from "@murmur/core/auth";
import type { MurmurConfig } from "@murmur/core/config";
import type { EventLog } from "@murmur/core/event-log";
import { createIngest, retryingIngest } from "@murmur/core/ingest";
import { createMemoryLimiter } from "@murmur/core/limits";
import { type AgentOptions, createAgent } from "./agents.ts";
import { type AppDeps, type AppLimits, createStreamGauge } from "./deps.ts";
import { type Logger, silentLogger } from "./log.ts";

// The wiring both runtimes share: each entry (local/, lambda/) picks its event log and
// its invoker, and builds the app's dependencies and the agent runner here, once.

/**
 * The app's dependencies over `log`, with agent runs started by `invoker`, logging to
 * `logger`, and the limits' state where the entry puts it (in this process by default:
 * see `AppLimits`).
 */
export function createAppDeps(
  config: MurmurConfig,
  log: EventLog,
  invoker: AgentInvoker,
  logger: Logger = silentLogger,
  limits: Partial<AppLimits> = {},
): AppDeps {
  return {
    logger,
    config,
    log,
    ingest: createIngest(log),
    invoker,
    sessions: createSessionTokens(config.sessionSecret, config.sessionTtlSeconds),
    webhooks: createAgentWebhookVerifier(config.webhookSecret),
    streams: createStreamGauge(),
    limits: { rates: limits.rates ?? createMemoryLimiter(), streams: limits.streams ?? createMemoryLimiter() },
  };
}

/** How an entry's runner behaves where the runtimes differ. */
export interface RunnerOptions {
  /** A reply in progress rides out an outage of the log's store this long instead of failing (appends are idempotent). */
  readonly storeRetryMs: number;
  /** How the runner learns of a stop (see `RunTurnDeps.cancelWatch`). */
  readonly cancelWatch: "follow" | "appends";
  readonly agent?: AgentOptions;
}

/** What runs replies: the configured agent, writing through ingestion. */
export function createRunner(config: MurmurConfig, log: EventLog, options: RunnerOptions): RunTurnDeps {
  return {
    log,
    ingest: retryingIngest(createIngest(log), options.storeRetryMs),
    agent: createAgent(config, options.agent),
    deltaWindowMs: config.agent.deltaWindowMs,
    historyLimit: config.agent.historyLimit,
    cancelWatch: options.cancelWatch,
    leaseMs: config.eventLog.runLeaseMs,
    maxReplyBytes: config.limits.replyBytes,
  };
}
