import type { AgentInvoker, RunTurnDeps } from "@murmur/core/agent";
import { createAgentWebhookVerifier, createSessionTokens } from "@murmur/core/auth";
import type { MurmurConfig } from "@murmur/core/config";
import type { EventLog } from "@murmur/core/event-log";
import { createIngest, retryingIngest } from "@murmur/core/ingest";
import { createMemoryLimiter } from "@murmur/core/limits";
import { type Metrics, noopMetrics } from "@murmur/core/metrics";
import { noopTracer, type Tracer } from "@murmur/core/trace";
import { type AgentOptions, createAgent } from "./agents.ts";
import { type AppDeps, type AppLimits, createStreamGauge } from "./deps.ts";
import { type Logger, silentLogger } from "./log.ts";

// The wiring both runtimes share: each entry (local/, lambda/) picks its event log and
// its invoker, and builds the app's dependencies and the agent runner here, once.

/** Where an entry's app and runner report: metrics and spans (both nowhere by default). */
export interface Telemetry {
  readonly metrics?: Metrics;
  readonly tracer?: Tracer;
}

/**
 * The app's dependencies over `log`, with agent runs started by `invoker`, logging to
 * `logger`, the limits' state where the entry puts it (in this process by default: see
 * `AppLimits`), and metrics and spans where the entry sends them.
 */
export function createAppDeps(
  config: MurmurConfig,
  log: EventLog,
  invoker: AgentInvoker,
  logger: Logger = silentLogger,
  limits: Partial<AppLimits> = {},
  telemetry: Telemetry = {},
): AppDeps {
  const metrics = telemetry.metrics ?? noopMetrics;
  const tracer = telemetry.tracer ?? noopTracer;
  return {
    logger,
    metrics,
    tracer,
    config,
    log,
    ingest: createIngest(log, { metrics, tracer }),
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
  readonly telemetry?: Telemetry;
}

/** What runs replies: the configured agent, writing through ingestion. */
export function createRunner(config: MurmurConfig, log: EventLog, options: RunnerOptions): RunTurnDeps {
  const { metrics, tracer } = options.telemetry ?? {};
  return {
    log,
    ingest: retryingIngest(createIngest(log, { metrics, tracer }), options.storeRetryMs),
    metrics,
    tracer,
    agent: createAgent(config, options.agent),
    deltaWindowMs: config.agent.deltaWindowMs,
    historyLimit: config.agent.historyLimit,
    cancelWatch: options.cancelWatch,
    leaseMs: config.eventLog.runLeaseMs,
    maxReplyBytes: config.limits.replyBytes,
  };
}
