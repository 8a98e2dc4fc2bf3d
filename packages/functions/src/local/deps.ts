import { createInProcessInvoker, type InProcessInvoker, runAgentTurn, stopHandedOffRun } from "@murmur/core/agent";
import type { MurmurConfig } from "@murmur/core/config";
import {
  createBlockingTailer,
  createMemoryEventLog,
  createRedisClusterEventLog,
  createRedisEventLog,
  createUpstashEventLog,
  type EventLog,
  RedisEventLog,
} from "@murmur/core/event-log";
import { createMemoryLimiter, createRedisLimiter, type Limiter } from "@murmur/core/limits";
import type { Metrics } from "@murmur/core/metrics";
import type { AgentOptions } from "../agents.ts";
import { createAppDeps, createRunner, type Telemetry } from "../compose.ts";
import type { AppDeps } from "../deps.ts";
import { errorText, type Logger } from "../log.ts";
import { withFields } from "../request-context.ts";
import { localLogger } from "./log-sink.ts";

/** How long an agent run keeps retrying appends while the event log is unreachable. */
const AGENT_STORE_RETRY_MS = 60_000;

/** The event log the configuration asks for, counting its Redis commands into `metrics` when given. */
export function createEventLog(config: MurmurConfig, metrics?: Metrics): EventLog {
  const settings = config.eventLog;
  const onError = rateLimitedWarning("event log reader");
  const maxReplyBytes = config.limits.replyBytes;
  switch (settings.adapter) {
    case "memory":
      return createMemoryEventLog({ maxEventsPerThread: settings.maxEventsPerThread, runLeaseMs: settings.runLeaseMs, maxReplyBytes });
    case "redis":
      return createRedisEventLog({ ...settings, maxReplyBytes, onError, metrics });
    case "redis-cluster":
      return createRedisClusterEventLog({
        ...settings,
        username: settings.username ?? undefined,
        password: settings.password ?? undefined,
        maxReplyBytes,
        onError,
        metrics,
      });
    case "upstash": {
      // With REDIS_URL as well, tails block over TCP; without, they poll over REST.
      const tailer = settings.tailUrl
        ? createBlockingTailer({ url: settings.tailUrl, blockMs: settings.blockMs, onError, metrics })
        : undefined;
      return createUpstashEventLog({ ...settings, maxReplyBytes, tailer, onError, metrics });
    }
  }
}

/**
 * Where the send and thread rates live: beside the event log, so every process sharing a
 * Redis shares them (over the log's own connection: no connection more), else in this
 * process. Streams are counted in this process either way: what a held stream uses up
 * here is this process's connections and memory.
 */
export function createRateLimiter(config: MurmurConfig, log: EventLog): Limiter {
  const settings = config.eventLog;
  return log instanceof RedisEventLog && settings.adapter !== "memory"
    ? createRedisLimiter(log.scriptRunner, settings.prefix)
    : createMemoryLimiter();
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
  logger: Logger = localLogger(config),
  telemetry: Telemetry = {},
): AppDeps & { invoker: InProcessInvoker } {
  // The process's shared reader follows the thread anyway: following the log for a stop costs nothing.
  const runner = createRunner(config, log, { storeRetryMs: AGENT_STORE_RETRY_MS, cancelWatch: "follow", agent: agentOptions, telemetry });
  const invoker = createInProcessInvoker({
    // A run that could not record its end (the log stayed down): said on the line of the send that started it.
    run: (request, signal) =>
      runAgentTurn(runner, request, signal).catch((error: unknown) =>
        withFields(logger, { requestId: request.trace?.requestId }).error("agent run failed", {
          threadId: request.threadId,
          userMessageId: request.userMessageId,
          error: errorText(error),
        }),
      ),
    stop: (run) => stopHandedOffRun(runner, run),
    onError: (error, what) => logger.error(`${what} failed`, { error: errorText(error) }),
  });
  const limits = { rates: createRateLimiter(config, log), streams: createMemoryLimiter() };
  return { ...createAppDeps(config, log, invoker, logger, limits, telemetry), invoker };
}
