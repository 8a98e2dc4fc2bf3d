import type { Context } from "aws-lambda";
import { streamHandle } from "hono/aws-lambda";
import { Resource } from "sst";
import { createApp } from "../app.ts";
import { createAppDeps } from "../compose.ts";
import { loadCloudConfig } from "./config.ts";
import { createCloudLimiter, createTailingEventLog, unlinkedInvoker, upstashSettings } from "./deps.ts";
import { lambdaLogger } from "./log-sink.ts";
import { lambdaMetrics } from "./metrics.ts";
import { createStreamSlots } from "./stream-slots.ts";

/** A stream closes on purpose this long before its invocation would be cut off. */
export const CLOSE_MARGIN_MS = 60_000;

/** How long a stream may stay open with `remainingMs` left: a margin before the end, and never more than half. */
export function streamBudget(remainingMs: number): number {
  return remainingMs - Math.min(CLOSE_MARGIN_MS, Math.floor(remainingMs / 2));
}

/**
 * The Stream function (Function URL, `RESPONSE_STREAM`): one SSE stream per invocation,
 * closed with `retry:` before the invocation's time runs out; the browser resumes from
 * the last id it got. Its reader sends no CLIENT command and blocks once its follows
 * have joined; with `STREAM_MAX_OPEN` set, a stream past the bound is refused in-band.
 * Its metrics flush as EMF lines when its stream ends (planned close or not): the
 * invocation's end, for a stream (a refusal's are carried by the next flush).
 */
const { config, maxOpenStreams, stage } = loadCloudConfig(Resource);
const { metrics, flush } = lambdaMetrics("Stream", stage);
const { log, announceFollows, runner } = createTailingEventLog(config, metrics);
// One stream per invocation: a session's streams are counted across invocations, in Upstash.
const deps = createAppDeps(config, log, unlinkedInvoker, lambdaLogger(), { streams: createCloudLimiter(config, runner) }, { metrics });
const admission = maxOpenStreams ? createStreamSlots({ runner, prefix: upstashSettings(config).prefix, max: maxOpenStreams }) : undefined;
export const handler = streamHandle(
  createApp({
    ...deps,
    announceFollows,
    admission,
    onStreamClose: flush,
    streamBudgetMs: (c) => streamBudget((c.env as { context: Context }).context.getRemainingTimeInMillis()),
  }),
);
