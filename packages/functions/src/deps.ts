import type { AgentInvoker } from "@murmur/core/agent";
import type { AgentWebhookVerifier, SessionTokens } from "@murmur/core/auth";
import type { MurmurConfig } from "@murmur/core/config";
import type { EventLog } from "@murmur/core/event-log";
import type { Ingest } from "@murmur/core/ingest";
import type { Metrics } from "@murmur/core/metrics";
import type { Tracer } from "@murmur/core/trace";
import type { Context } from "hono";
import type { Logger } from "./log.ts";
import type { RequestVariables } from "./request-context.ts";
import type { StreamResponder } from "./stream-responder.ts";

/** Counts open SSE streams; shown in health and used by tests and benchmarks. */
export interface StreamGauge {
  open(): void;
  close(): void;
  readonly current: number;
  readonly total: number;
}

/** Everything the Hono app needs, built by an entry point (local server or Lambda). */
export interface AppDeps {
  readonly config: MurmurConfig;
  readonly log: EventLog;
  readonly ingest: Ingest;
  readonly invoker: AgentInvoker;
  readonly sessions: SessionTokens;
  readonly webhooks: AgentWebhookVerifier;
  readonly streams: StreamGauge;
  /**
   * How long the stream answering this request may stay open, when the runtime bounds
   * it (the Lambda entry: the invocation's remaining time less a margin). The stream
   * closes on purpose, with `retry:`, at the earlier of this and `SSE_MAX_DURATION_MS`.
   */
  readonly streamBudgetMs?: (c: Context<AppEnv>) => number;
  /** How held streams are written on this runtime (default: a Web `ReadableStream` body). */
  readonly streamResponder?: StreamResponder;
  /** Where lines go; every request's lines carry its id (see request-context.ts). */
  readonly logger: Logger;
  /** Where the app and core record metrics (see @murmur/core/metrics); the runtime's entry picks the sink. */
  readonly metrics: Metrics;
  /** Spans around send, ingest, append and agent runs (see @murmur/core/trace). */
  readonly tracer: Tracer;
  /**
   * `GET /api/metrics`, answered only with `Authorization: Bearer <token>` (the local
   * server with `METRICS_TOKEN`); unset: the route answers 404.
   */
  readonly metricsEndpoint?: MetricsEndpoint;
  /** Called when a held stream ends, with its reason (Lambda flushes its metrics then). */
  readonly onStreamClose?: (reason: string) => void;
}

/** What `GET /api/metrics` serves: the exposition, behind a bearer token. */
export interface MetricsEndpoint {
  readonly token: string;
  scrape(): Promise<{ readonly contentType: string; readonly body: string }>;
}

/** A gauge of open streams. */
export function createStreamGauge(): StreamGauge {
  let current = 0;
  let total = 0;
  return {
    open() {
      current++;
      total++;
    },
    close() {
      current--;
    },
    get current() {
      return current;
    },
    get total() {
      return total;
    },
  };
}

/** Hono's typed context variables set by middleware. */
export interface AppEnv {
  Variables: { sessionId: string } & RequestVariables;
}
