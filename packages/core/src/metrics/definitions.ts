import type { CounterDef, GaugeDef, HistogramDef, MetricDef } from "./metrics.ts";

// Every metric Murmur records, defined once: the Prometheus sink (local server), the EMF
// sink (Lambda), the README's table and the Grafana dashboard's test all read this list.

/**
 * Append-to-delivery buckets, 0.5 ms to 10 s in steps of about 1.5x: a p99 read from them
 * by interpolation is within a third of the true value at any magnitude (the bench checks
 * it against the client's own measurement).
 */
export const DELIVERY_BUCKETS_SECONDS = [
  0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5,
  2, 3, 5, 7.5, 10,
] as const;

/** Time to a reply's first words: 10 ms (the demo) to a minute (a slow model). */
export const FIRST_DELTA_BUCKETS_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60] as const;

/** `mode`: `thread` (the thread alone) or `thread_list` (with the owner's list, `?threads=1`). */
export const STREAMS_OPEN: GaugeDef<"mode"> = {
  kind: "gauge",
  name: "murmur_streams_open",
  help: "SSE streams held open now, by mode (thread, thread_list).",
  unit: "count",
  labels: ["mode"],
};

export const STREAMS_OPENED: CounterDef<"mode"> = {
  kind: "counter",
  name: "murmur_streams_opened_total",
  help: "SSE streams opened, by mode (thread, thread_list).",
  unit: "count",
  labels: ["mode"],
};

/** `reason`: a `close` frame's reason (see `CloseReason`), or `client_gone` when the client left first. */
export const STREAMS_CLOSED: CounterDef<"reason"> = {
  kind: "counter",
  name: "murmur_streams_closed_total",
  help: "SSE streams ended, by reason (planned, client_gone, error, superseded, released, deleted, slow_client).",
  unit: "count",
  labels: ["reason"],
};

export const EVENTS_APPENDED: CounterDef<"type"> = {
  kind: "counter",
  name: "murmur_events_appended_total",
  help: "Events written to thread logs (duplicates not counted), by event type.",
  unit: "count",
  labels: ["type"],
};

export const FRAMES_DELIVERED: CounterDef<never> = {
  kind: "counter",
  name: "murmur_frames_delivered_total",
  help: "Live event frames written to SSE streams (one per event per stream).",
  unit: "count",
  labels: [],
};

export const DELIVERY_LATENCY: HistogramDef<never> = {
  kind: "histogram",
  name: "murmur_delivery_latency_seconds",
  help: "Time from this process learning that an append committed (its own append's reply, else its tail receiving the entry) to the frame's write on each stream.",
  unit: "seconds",
  labels: [],
  buckets: DELIVERY_BUCKETS_SECONDS,
};

export const STREAM_RESUMES: CounterDef<never> = {
  kind: "counter",
  name: "murmur_stream_resumes_total",
  help: "Streams opened with a cursor (Last-Event-ID or ?after=): reconnects that replay what the client missed.",
  unit: "count",
  labels: [],
};

export const STREAM_RESETS: CounterDef<"reason"> = {
  kind: "counter",
  name: "murmur_stream_resets_total",
  help: "Reset frames sent instead of a replay, by reason (trimmed, unknown, epoch).",
  unit: "count",
  labels: ["reason"],
};

/** `outcome`: accepted, duplicate, bad_signature, bad_body, not_found, too_large, unavailable, error. */
export const WEBHOOK_REQUESTS: CounterDef<"outcome"> = {
  kind: "counter",
  name: "murmur_webhook_requests_total",
  help: "Agent webhook requests, by outcome (accepted, duplicate, bad_signature, bad_body, not_found, too_large, unavailable, error).",
  unit: "count",
  labels: ["outcome"],
};

/** `outcome`: completed, failed, duplicate, detached (a webhook agent took it over), error (the log failed). */
export const AGENT_RUNS: CounterDef<"outcome"> = {
  kind: "counter",
  name: "murmur_agent_runs_total",
  help: "Agent runs ended, by outcome (completed, failed, duplicate, detached, error).",
  unit: "count",
  labels: ["outcome"],
};

export const AGENT_FIRST_DELTA: HistogramDef<never> = {
  kind: "histogram",
  name: "murmur_agent_first_delta_seconds",
  help: "Time from a run's start to its first delta being appended.",
  unit: "seconds",
  labels: [],
  buckets: FIRST_DELTA_BUCKETS_SECONDS,
};

/** `command`: `script:<name>` for the engine's Lua scripts (each one EVALSHA), else the Redis command (`xread`, `client_unblock`, `client_id`, `ping`). */
export const REDIS_COMMANDS: CounterDef<"command"> = {
  kind: "counter",
  name: "murmur_redis_commands_total",
  help: "Redis commands sent by the event log, by command (script:<name> for its Lua scripts).",
  unit: "count",
  labels: ["command"],
};

export const REDIS_ERRORS: CounterDef<"command"> = {
  kind: "counter",
  name: "murmur_redis_errors_total",
  help: "Redis commands of the event log that failed (unreachable, timed out, refused), by command.",
  unit: "count",
  labels: ["command"],
};

export const EVENT_LOG_UNAVAILABLE: CounterDef<never> = {
  kind: "counter",
  name: "murmur_event_log_unavailable_seconds_total",
  help: "Seconds during which the event log's store could not be reached (its commands failed, answered as 503).",
  unit: "seconds",
  labels: [],
};

/** Every definition, in the README's order. */
export const METRICS: readonly MetricDef[] = [
  STREAMS_OPEN,
  STREAMS_OPENED,
  STREAMS_CLOSED,
  EVENTS_APPENDED,
  FRAMES_DELIVERED,
  DELIVERY_LATENCY,
  STREAM_RESUMES,
  STREAM_RESETS,
  WEBHOOK_REQUESTS,
  AGENT_RUNS,
  AGENT_FIRST_DELTA,
  REDIS_COMMANDS,
  REDIS_ERRORS,
  EVENT_LOG_UNAVAILABLE,
];
