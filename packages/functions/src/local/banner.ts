import type { EventLogConfig, MurmurConfig } from "@murmur/core/config";

// The start-up banner: what a person needs to see to know what is running and where.

/** The banner's lines for a started server. */
export function bannerLines(
  server: { readonly url: string; readonly servesWeb: boolean; readonly metricsUrl?: string | null },
  local: {
    readonly config: MurmurConfig;
    readonly dataDir: string;
    readonly secretsFrom: string;
    readonly observability?: { readonly metricsToken: string | null; readonly otlpEndpoint: string | null };
  },
): string[] {
  const { config } = local;
  const metrics = [
    server.metricsUrl ? `${server.metricsUrl} (Prometheus)` : null,
    local.observability?.metricsToken ? `${server.url}/api/metrics (Bearer METRICS_TOKEN)` : null,
  ].filter((line): line is string => line !== null);
  return [
    "",
    "  Murmur is running",
    "",
    `  URL          ${server.url}${server.servesWeb ? "" : "  (API only: the web app is not built; run npm run build)"}`,
    `  Mode         ${config.mode}`,
    `  Event log    ${describeEventLog(config.eventLog)}`,
    `  Agent        ${describeAgent(config)}`,
    `  Data         ${local.dataDir}`,
    `  Secrets      ${local.secretsFrom === "environment" ? "from the environment" : local.secretsFrom}`,
    `  Health       ${server.url}/api/health`,
    `  Metrics      ${metrics.length ? metrics.join(", ") : "off (set METRICS_PORT or METRICS_TOKEN)"}`,
    ...(local.observability?.otlpEndpoint ? [`  Traces       OTLP to ${new URL(local.observability.otlpEndpoint).origin}`] : []),
    "",
    "  Press Ctrl+C to stop.",
    "",
  ];
}

/** One line on which agent writes replies, for the start-up banner. Never includes a key. */
export function describeAgent(config: MurmurConfig): string {
  const settings = config.agent;
  const origin = (url: string) => new URL(url).origin; // no path, query or credentials
  switch (settings.kind) {
    case "demo":
      return `demo responder (offline, ${settings.paceMs} ms per word)`;
    case "openai":
      return `openai-compatible, model ${settings.model} at ${origin(settings.baseUrl)}`;
    case "langgraph":
      return `langgraph, assistant ${settings.assistantId} at ${origin(settings.url)}${settings.stream ? ", streaming tokens" : ""}`;
  }
}

/** One line on where events live, with any password in a URL hidden. */
export function describeEventLog(settings: EventLogConfig): string {
  const hide = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
  switch (settings.adapter) {
    case "memory":
      return "memory (embedded, in this process; gone when it stops; set REDIS_URL to keep it)";
    case "redis":
      return `redis at ${hide(settings.url)}, keys under ${settings.prefix}:`;
    case "redis-cluster":
      return `redis cluster seeded by ${settings.nodes.map((n) => (n.host.includes(":") ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`)).join(",")}${
        settings.tls ? " (TLS)" : ""
      }, keys under ${settings.prefix}:`;
    case "upstash":
      return `upstash REST at ${settings.restUrl}, keys under ${settings.prefix}:, tails ${
        settings.tailUrl ? `blocking over ${hide(settings.tailUrl)}` : `polling every ${settings.pollMinMs}-${settings.pollMaxMs} ms`
      }`;
  }
}
