import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { sweepLapsedRuns } from "@murmur/core/agent";
import type { MurmurConfig } from "@murmur/core/config";
import { createMetricStore, type MetricStore } from "@murmur/core/metrics";
import { Hono } from "hono";
import { createApp } from "../app.ts";
import type { Logger } from "../log.ts";
import { errorText } from "../log.ts";
import { createOtelTracer } from "../tracing.ts";
import { webHeaders } from "../web-headers.ts";
import type { ObservabilityConfig } from "./config.ts";
import { createEventLog, createLocalDeps } from "./deps.ts";
import { type MetricsServer, startMetricsServer } from "./metrics-server.ts";
import { nodeStreamResponder } from "./node-stream.ts";
import { startOtlpTracing } from "./otel.ts";
import { createPrometheusRegistry } from "./prometheus.ts";

/** The built web app, served at `/` when it exists. */
export const WEB_DIST = fileURLToPath(new URL("../../../web/dist", import.meta.url));

export interface LocalServer {
  readonly url: string;
  readonly deps: ReturnType<typeof createLocalDeps>;
  readonly servesWeb: boolean;
  /** Every metric this server recorded (see @murmur/core/metrics); null when it shows none (nothing is recorded then). */
  readonly metrics: MetricStore | null;
  /** Where `GET /metrics` answers (`METRICS_PORT`), or null. */
  readonly metricsUrl: string | null;
  /** Stops accepting requests, ends open streams, waits for agent runs, closes the log. */
  close(): Promise<void>;
}

export interface LocalServerOptions {
  readonly webDist?: string;
  readonly logger?: Logger;
  /** Metrics listener, `/api/metrics` token and OTLP endpoint (see local/config.ts); default: none of them. */
  readonly observability?: Partial<ObservabilityConfig>;
}

/** Starts the API (and the built web app, when present) on `config.host:config.port`. */
export async function startLocalServer(config: MurmurConfig, options: LocalServerOptions = {}): Promise<LocalServer> {
  let url = "";
  const observability = options.observability ?? {};
  // Metrics are recorded only when something shows them: a held stream then reads the clock
  // once per batch it writes (about 70 ns a frame), which a server showing none need not pay.
  const shown = (observability.metricsPort !== undefined && observability.metricsPort !== null) || Boolean(observability.metricsToken);
  const metrics = shown ? createMetricStore() : null;
  const registry = metrics ? createPrometheusRegistry(metrics) : null;
  const stopTracing = observability.otlpEndpoint ? await startOtlpTracing(observability.otlpEndpoint) : null;
  const telemetry = { metrics: metrics ?? undefined, tracer: createOtelTracer() };
  // An agent that is called back (LangGraph) needs this address; with PORT=0 it is known only once listening.
  // Held streams write to Node's response directly (node-stream.ts): served by @hono/node-server.
  const deps = {
    ...createLocalDeps(config, createEventLog(config, telemetry.metrics), { localUrl: () => url }, options.logger, telemetry),
    streamResponder: nodeStreamResponder,
    metricsEndpoint:
      observability.metricsToken && registry
        ? { token: observability.metricsToken, scrape: async () => ({ contentType: registry.contentType, body: await registry.metrics() }) }
        : undefined,
  };
  const webDist = options.webDist ?? WEB_DIST;
  const servesWeb = existsSync(webDist);
  const root = new Hono();
  root.route("/", createApp(deps));
  if (servesWeb) {
    root.use("/*", webHeaders);
    root.use("/*", serveStatic({ root: webDist }));
    // Client-side routes (e.g. /t/<threadId>) get the app shell.
    root.get("*", serveStatic({ root: webDist, path: "index.html" }));
  }

  const server = serve({ fetch: root.fetch, hostname: config.host, port: config.port, serverOptions: readTimeouts(config) });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  // Replies a crashed process left streaming end now (or once their lease lapses), whether
  // or not anyone opens their thread again (I6).
  const sweeping = new AbortController();
  void sweepLapsedRuns(deps.log, deps.ingest, sweeping.signal).then(
    ({ ended, waiting }) => {
      if (ended + waiting > 0) deps.logger.info("start-up sweep", { ended, waiting });
    },
    (error: unknown) => deps.logger.warn("start-up sweep failed", { error: errorText(error) }),
  );
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  url = `http://${host}:${port}`;
  const metricsServer: MetricsServer | null =
    registry && observability.metricsPort !== undefined && observability.metricsPort !== null
      ? await startMetricsServer(registry, observability.metricsHost ?? "127.0.0.1", observability.metricsPort)
      : null;

  return {
    url,
    deps,
    servesWeb,
    metrics,
    metricsUrl: metricsServer?.url ?? null,
    async close() {
      // Stop accepting; end this process's replies in progress with a retryable failure
      // (the person sends again, to whichever server answers next); give the open streams
      // a moment to carry those failures; then close the log, which ends every stream with
      // `close` (planned) and `retry:` so browsers resume, with Last-Event-ID, elsewhere.
      sweeping.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await deps.invoker.shutdown(SHUTDOWN_GRACE_MS);
      await sleep(STREAM_DRAIN_MS);
      await deps.log.close();
      if ("closeAllConnections" in server) server.closeAllConnections();
      await closed;
      await metricsServer?.close();
      await stopTracing?.();
    },
  };
}

/**
 * Slowloris: a connection must deliver its request's headers within `headersTimeoutMs`
 * and the whole request (headers and body) within `requestTimeoutMs`, or Node answers
 * 408 and closes it. Node checks every `connectionsCheckingInterval` (30 s by default:
 * a silent connection lived 60 + 30 s); here a tenth of the headers timeout, at most 1 s.
 * A response is not a request: a held SSE stream (a GET, complete once its headers are
 * in) is bound by neither.
 */
function readTimeouts(config: MurmurConfig) {
  const { headersTimeoutMs, requestTimeoutMs } = config.http;
  return {
    headersTimeout: headersTimeoutMs,
    requestTimeout: requestTimeoutMs,
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersTimeoutMs / 10))),
  };
}

/** How long shutdown waits for replies to record their end. */
const SHUTDOWN_GRACE_MS = 5_000;
/** How long open streams get to deliver those ends before the log closes: a Redis round trip or two. */
const STREAM_DRAIN_MS = 200;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
