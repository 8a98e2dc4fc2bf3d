import type { SpanAttributes, Tracer } from "@murmur/core/trace";
import { context, type Span, SpanStatusCode, TraceFlags, trace } from "@opentelemetry/api";

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Core's tracing port over OpenTelemetry's API: spans of the tracer `murmur`, which are
 * no-ops until an SDK registers a provider (local/otel.ts, when an OTLP endpoint is
 * configured). Only the local server uses it: the API is about 11 kB minified, which
 * the Stream function's bundle budget has no room for (its spans would go nowhere on
 * Lambda without a collector anyway).
 */
export function createOtelTracer(name = "murmur"): Tracer {
  const tracer = trace.getTracer(name);
  return {
    span(spanName, attributes, fn, parent) {
      const parentContext = parent ? remoteParent(parent) : context.active();
      return tracer.startActiveSpan(spanName, { attributes: defined(attributes) }, parentContext, (span: Span) =>
        fn().then(
          (value) => {
            span.end();
            return value;
          },
          (error: unknown) => {
            span.recordException(error instanceof Error ? error : String(error));
            span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
            span.end();
            throw error;
          },
        ),
      );
    },
    traceparent() {
      const span = trace.getSpan(context.active());
      const ctx = span?.spanContext();
      if (!ctx || !trace.isSpanContextValid(ctx)) return undefined;
      return `00-${ctx.traceId}-${ctx.spanId}-0${(ctx.traceFlags & TraceFlags.SAMPLED).toString(16)}`;
    },
  };
}

/** The active context with `traceparent`'s span as a remote parent; the active context alone when it is not valid. */
function remoteParent(traceparent: string) {
  const match = TRACEPARENT.exec(traceparent);
  if (!match) return context.active();
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  const spanContext = { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true };
  return trace.isSpanContextValid(spanContext) ? trace.setSpanContext(context.active(), spanContext) : context.active();
}

function defined(attributes: SpanAttributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}
