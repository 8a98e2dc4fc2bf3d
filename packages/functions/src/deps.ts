import type { AgentInvoker } from "@murmur/core/agent";
import type { AgentWebhookVerifier, SessionTokens } from "@murmur/core/auth";
import type { MurmurConfig } from "@murmur/core/config";
import type { EventLog } from "@murmur/core/event-log";
import type { Ingest } from "@murmur/core/ingest";
import type { Limiter } from "@murmur/core/limits";
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
  readonly limits: AppLimits;
  /**
   * How long the stream answering this request may stay open, when the runtime bounds
   * it (the Lambda entry: the invocation's remaining time less a margin). The stream
   * closes on purpose, with `retry:`, at the earlier of this and `SSE_MAX_DURATION_MS`.
   */
  readonly streamBudgetMs?: (c: Context<AppEnv>) => number;
  /** One JSON line per request and per stream end (see log.ts); every request's lines carry its id (see request-context.ts). */
  readonly logger: Logger;
  /**
   * Called by the stream route just before a stream opens its follows (thread, and list
   * and signals when asked), with how many: a runtime whose reader serves one stream per
   * invocation (the Stream function) holds its first blocking read until all have joined.
   * Returns a release for a stream that ends first.
   */
  readonly announceFollows?: (count: number) => () => void;
  /** Bounds the streams open at once across instances (the Stream function); unset: no bound. */
  readonly admission?: StreamAdmission;
  /** How held streams are written on this runtime (default: a Web `ReadableStream` body). */
  readonly streamResponder?: StreamResponder;
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

/**
 * Where the limits' state lives (README "Limits"): the rates of sends and new threads,
 * and the slots of open streams. Each entry chooses: in process, or in Redis.
 */
export interface AppLimits {
  readonly rates: Limiter;
  readonly streams: Limiter;
}

/**
 * Slots for open streams, shared by every instance of a runtime. When none is free the
 * stream is refused in-band (`close` reason `busy`, a long `retry:`), so the browser
 * backs off rather than meeting Lambda's throttle.
 */
export interface StreamAdmission {
  /** Takes a slot for stream `id`, held at most `leaseMs`; false when every slot is taken. */
  acquire(id: string, leaseMs: number): Promise<boolean>;
  /** Frees the slot; idempotent. */
  release(id: string): Promise<void>;
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
  /** See request-context.ts (`streaming`: the response is a held stream, which logs its own end: see routes/stream.ts). */
  Variables: { sessionId: string } & RequestVariables;
}
