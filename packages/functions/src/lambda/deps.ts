import type { AgentInvoker, RunTurnDeps } from "@murmur/core/agent";
import { ConfigError, type MurmurConfig } from "@murmur/core/config";
import { createRedisParts, createUpstashEventLog, type EventLog, type RedisEventLog, type ScriptRunner } from "@murmur/core/event-log";
import { createRedisLimiter, type Limiter } from "@murmur/core/limits";
import type { Metrics } from "@murmur/core/metrics";
import { createRunner } from "../compose.ts";

// The cloud wiring, one function per choice an entry makes, so that each entry's bundle
// holds only what it uses (`npm run bundles`): the Lambda client only in Api
// (agent-invoker.ts), the TCP client only in Stream.

/** How long an agent run keeps retrying appends while Upstash is unreachable. */
const AGENT_STORE_RETRY_MS = 30_000;
const onError = (error: unknown) => console.warn(`event log reader: ${error instanceof Error ? error.message : String(error)}`);

export function upstashSettings(config: MurmurConfig) {
  const settings = config.eventLog;
  if (settings.adapter !== "upstash") throw new ConfigError("cloud mode needs the Upstash event log: link Upstash in sst.config.ts");
  return settings;
}

/**
 * The event log of the functions that hold no stream (Api, Webhook, Agent): Upstash over
 * REST only, no connection to set up per cold start, and no TCP client in the bundle.
 */
export function createRestEventLog(config: MurmurConfig, metrics?: Metrics): RedisEventLog {
  return createUpstashEventLog({ ...upstashSettings(config), maxReplyBytes: config.limits.replyBytes, onError, metrics });
}

/** Stream's event log, and how its stream route announces the follows it is about to open. */
export interface TailingEventLog {
  readonly log: EventLog;
  /** See `AppDeps.announceFollows`. */
  readonly announceFollows: (count: number) => () => void;
  /** Runs scripts on the log's connection (the stream slots). */
  readonly runner: ScriptRunner;
}

/**
 * The event log of Stream, the one function that follows threads live: everything over
 * Upstash's TCP endpoint, which its blocking reads need anyway (no REST client in its
 * bundle), and no `CLIENT` command (Upstash documents no `CLIENT UNBLOCK`, and each
 * command is billed). One invocation serves one stream, which announces its follows
 * (thread, list, signals) before it opens them: the reader's first `XREAD BLOCK` waits
 * until all have joined and names them all, so nothing needs ending early.
 */
export function createTailingEventLog(config: MurmurConfig, metrics?: Metrics): TailingEventLog {
  const settings = upstashSettings(config);
  if (!settings.tailUrl) throw new ConfigError("Stream needs Upstash's TCP endpoint (the Upstash link's tcpUrl) for its blocking reads");
  const { log, runner, tailer } = createRedisParts({
    url: settings.tailUrl,
    prefix: settings.prefix,
    maxEventsPerThread: settings.maxEventsPerThread,
    runLeaseMs: settings.runLeaseMs,
    maxReplyBytes: config.limits.replyBytes,
    blockMs: settings.blockMs,
    clientCommands: false,
    onError,
    metrics,
  });
  return { log, runner, announceFollows: (count) => tailer.expect?.(count) ?? (() => {}) };
}

/**
 * The limits' state in the cloud: in Upstash, through the event log's own script runner
 * (REST for Api, TCP for Stream), so that every function instance sees the same counts.
 * One command per check: a send or a new thread (Api), a stream's open and its end (Stream).
 */
export function createCloudLimiter(config: MurmurConfig, runner: ScriptRunner): Limiter {
  return createRedisLimiter(runner, upstashSettings(config).prefix);
}

/** The invoker of the functions that start no run (Webhook, Stream): Agent is linked to Api alone. */
export const unlinkedInvoker: AgentInvoker = {
  invoke: unlinked,
  cancel: unlinked,
};

async function unlinked(): Promise<never> {
  throw new ConfigError("this function cannot reach agents: Agent is not linked to it (send and stop are served by Api)");
}

/**
 * What the Agent function runs replies with: the configured agent, writing through
 * ingestion over REST. It learns of a stop from its own appends (and one read a second
 * while it appends nothing), not from a read loop: every command is billed.
 */
export function createCloudRunner(config: MurmurConfig, metrics?: Metrics): RunTurnDeps {
  return createRunner(config, createRestEventLog(config, metrics), {
    storeRetryMs: AGENT_STORE_RETRY_MS,
    cancelWatch: "appends",
    telemetry: { metrics },
  });
}
