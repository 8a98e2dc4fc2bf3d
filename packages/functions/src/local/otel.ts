/**
 * OpenTelemetry's SDK with an OTLP/HTTP exporter, for `OTEL_EXPORTER_OTLP_ENDPOINT`: loaded
 * only then (dynamic imports), so a server without it loads none of it and its spans stay
 * the API's no-ops. The exporter reads the standard `OTEL_EXPORTER_OTLP_*` variables
 * itself (headers, timeout); traces go to `<endpoint>/v1/traces`.
 */
export async function startOtlpTracing(endpoint: string, serviceName = "murmur"): Promise<() => Promise<void>> {
  const [
    { trace, context },
    { BasicTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { AsyncLocalStorageContextManager },
    resources,
  ] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/context-async-hooks"),
    import("@opentelemetry/resources"),
  ]);
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, "")}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: resources.resourceFromAttributes({ "service.name": serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // Spans follow awaits (a send's ingest and append are its children) through AsyncLocalStorage.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  };
}
