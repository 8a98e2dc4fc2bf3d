/** Span attributes: flat, named facts (ids, counts), never message text or secrets. */
export type SpanAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * The tracing port: core wraps its seams (ingest, append, an agent run and its call to
 * the agent) in spans through this, and the entry decides what a span is. The local
 * server gives OpenTelemetry's API (functions/src/tracing.ts: no-op until an SDK is
 * registered, an OTLP exporter when configured); everywhere else spans are nothing.
 * Core stays free of the OpenTelemetry packages, so no Lambda bundle carries them.
 */
export interface Tracer {
  /**
   * Runs `fn` in a span named `name`, a child of the active span, or of `parent` (a W3C
   * `traceparent`, e.g. carried by a run request from another process) when given. The
   * span ends when `fn` settles, recording a rejection as its error. Resolves as `fn` does.
   */
  span<T>(name: string, attributes: SpanAttributes, fn: () => Promise<T>, parent?: string): Promise<T>;
  /** The active span as a W3C `traceparent`, to hand to work that runs elsewhere; undefined without one. */
  traceparent(): string | undefined;
}

/** Spans that are nothing: the default. */
export const noopTracer: Tracer = {
  span: (_name, _attributes, fn) => fn(),
  traceparent: () => undefined,
};
