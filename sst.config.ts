/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Murmur on AWS (README "Deploy"). One block per concern: the event log, the secrets,
 * the router, the four functions, the site, the routes; outputs at the end. Nothing
 * here is deployed from CI: `sst.config.test.ts` evaluates `run()` under Pulumi mocks.
 */

/** Stages with an Upstash database of their own; every other stage (`pr-N`, personal) shares one. */
const DATABASE_STAGES = ["production"];
/** The Stream function's timeout: Lambda's limit. */
const STREAM_TIMEOUT_SECONDS = 900;
// Memory, architecture, planned close, heartbeat, block and padding come from
// packages/functions/src/lambda/deployment.ts, which the cost model (`npm run cost`)
// reads too; imported inside `run()`, as SST allows no top-level imports here. The
// handler also closes a stream a minute before its remaining time runs out.
/** Agent settings that are not secrets, taken from the deploying shell or `.env`. */
const AGENT_SETTINGS = [
  "AGENT",
  "DEMO_PACE_MS",
  "DELTA_WINDOW_MS",
  "AGENT_HISTORY_MESSAGES",
  "OPENAI_BASE_URL",
  "OPENAI_MODEL",
  "OPENAI_HISTORY_CHARS",
  "OPENAI_TIMEOUT_MS",
  "OPENAI_MAX_RETRIES",
  "LANGGRAPH_URL",
  "LANGGRAPH_ASSISTANT_ID",
  "LANGGRAPH_STREAM",
];

/**
 * The limits (README "Limits"), taken from the deploying shell or `.env` into every
 * function when set (each function reads the ones it enforces); unset, the defaults hold.
 */
const LIMIT_SETTINGS = [
  "LIMIT_SENDS_PER_MINUTE",
  "LIMIT_THREAD_SENDS_PER_MINUTE",
  "LIMIT_THREADS_PER_HOUR",
  "LIMIT_STREAMS_PER_SESSION",
  "LIMIT_RUNS_PER_THREAD",
  "LIMIT_MESSAGE_BYTES",
  "LIMIT_REPLY_BYTES",
];

export default $config({
  app(input) {
    const production = input?.stage === "production";
    return {
      name: "murmur",
      home: "aws",
      // Production keeps its data and cannot be removed by accident; other stages go away.
      removal: production ? "retain" : "remove",
      protect: production,
      // Reads UPSTASH_EMAIL and UPSTASH_API_KEY; only stages in DATABASE_STAGES use it.
      providers: { "@upstash/pulumi": "0.5.0" },
    };
  },
  console: {
    autodeploy: {
      // One `pr-N` stage per pull request, removed when it closes; nothing else deploys by itself.
      target(event) {
        if (event.type === "pull_request") return { stage: `pr-${event.number}` };
      },
    },
  },
  async run() {
    const { ARCHITECTURE, DEFAULT_PAD_BYTES, FUNCTION_MEMORY_MB, HEARTBEAT_MS, REDIS_BLOCK_MS, STREAM_PLANNED_CLOSE_SECONDS } =
      await import("./packages/functions/src/lambda/deployment.ts");
    // README "Deploy" explains the padding's cost; `MURMUR_PAD_BYTES` at deploy time
    // overrides it (0: none), e.g. to measure with the probe.
    const PAD_BYTES = Number(process.env.MURMUR_PAD_BYTES || DEFAULT_PAD_BYTES);
    if (!Number.isInteger(PAD_BYTES) || PAD_BYTES < 0 || PAD_BYTES > 65_536) {
      throw new Error(`MURMUR_PAD_BYTES must be a whole number of bytes from 0 to 65536, got "${process.env.MURMUR_PAD_BYTES}"`);
    }
    const keyPrefix = `${$app.name}:${$app.stage}`;

    // Event log: Upstash Redis, written over REST, tailed over TCP. A stage in
    // DATABASE_STAGES owns a database; the others share the one named by secrets set once
    // with `--fallback`, each under its own key prefix.
    const database = DATABASE_STAGES.includes($app.stage)
      ? new upstash.RedisDatabase(
          "Database",
          {
            databaseName: `${$app.name}-${$app.stage}`,
            region: "global",
            primaryRegion: aws.getRegionOutput().region,
            eviction: false,
          },
          { protect: $app.protect, retainOnDelete: $app.removal !== "remove" },
        )
      : undefined;
    const upstashLink = new sst.Linkable("Upstash", {
      properties: database
        ? {
            restUrl: $interpolate`https://${database.endpoint}`,
            restToken: database.restToken,
            tcpUrl: $interpolate`rediss://default:${database.password}@${database.endpoint}:${database.port}`,
            keyPrefix,
          }
        : {
            restUrl: new sst.Secret("UpstashRestUrl").value,
            restToken: new sst.Secret("UpstashRestToken").value,
            tcpUrl: new sst.Secret("UpstashRedisUrl").value,
            keyPrefix,
          },
    });

    // Secrets: linked, so they reach the code encrypted in the bundle, never as environment.
    const sessionSecret = new sst.Secret("SessionSecret");
    const webhookSecret = new sst.Secret("WebhookSecret");
    const openAiApiKey = new sst.Secret("OpenAiApiKey", "");
    const langGraphApiKey = new sst.Secret("LangGraphApiKey", "");

    // Router: one CloudFront domain for the site and the API (same origin: first-party
    // cookies, no CORS, HTTP/2). Routes are added below, once the functions exist.
    const router = new sst.aws.Router("Router");

    // Functions: one Hono app behind four entry points.
    const functionDefaults = {
      runtime: "nodejs22.x" as const,
      architecture: ARCHITECTURE,
      link: [upstashLink, sessionSecret, webhookSecret],
      environment: {
        SSE_HEARTBEAT_MS: String(HEARTBEAT_MS),
        SSE_PAD_BYTES: String(PAD_BYTES),
        ...Object.fromEntries(LIMIT_SETTINGS.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : []))),
      },
      // SST's docs give minify a default of true, but the 4.17 CLI minifies only when it is
      // set (packages/functions/src/lambda/testing/sst-build.ts): bundles less than half the
      // size, and a shorter cold import. keepNames (SST's default) keeps stack traces readable.
      nodejs: { minify: true },
    };
    const agent = new sst.aws.Function("Agent", {
      ...functionDefaults,
      handler: "packages/functions/src/lambda/agent.handler",
      description: "Murmur: writes one reply (invoked asynchronously by send)",
      timeout: "5 minutes",
      memory: `${FUNCTION_MEMORY_MB.Agent} MB`,
      // AWS delivers an async invoke up to three times; the handler lands the reply once.
      retries: 2,
      link: [...functionDefaults.link, openAiApiKey, langGraphApiKey],
      environment: {
        ...functionDefaults.environment,
        ...Object.fromEntries(AGENT_SETTINGS.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : []))),
        PUBLIC_URL: router.url,
      },
    });
    const api = new sst.aws.Function("Api", {
      ...functionDefaults,
      handler: "packages/functions/src/lambda/api.handler",
      description: "Murmur: session, chats, send, history",
      url: { cors: false }, // served same-origin through the router
      timeout: "20 seconds",
      memory: `${FUNCTION_MEMORY_MB.Api} MB`,
      // The link grants lambda:InvokeFunction on Agent and hands the code its name.
      link: [...functionDefaults.link, agent],
    });
    const webhook = new sst.aws.Function("Webhook", {
      ...functionDefaults,
      handler: "packages/functions/src/lambda/webhook.handler",
      description: "Murmur: signed agent events and LangGraph completions",
      url: { cors: false }, // served same-origin through the router
      timeout: "20 seconds",
      memory: `${FUNCTION_MEMORY_MB.Webhook} MB`,
    });
    const stream = new sst.aws.Function("Stream", {
      ...functionDefaults,
      handler: "packages/functions/src/lambda/stream.handler",
      description: "Murmur: the live SSE stream of one thread",
      url: { cors: false }, // served same-origin through the router
      streaming: true,
      timeout: `${STREAM_TIMEOUT_SECONDS} seconds`,
      memory: `${FUNCTION_MEMORY_MB.Stream} MB`,
      environment: {
        ...functionDefaults.environment,
        SSE_MAX_DURATION_MS: String(STREAM_PLANNED_CLOSE_SECONDS * 1000),
        REDIS_BLOCK_MS: String(REDIS_BLOCK_MS),
      },
    });

    // Site: the SolidJS app, built by Vite, served at `/`. Deployed under `sst dev` too, so
    // the router's URL is the whole app while the functions run on the developer's machine.
    // SST's generated Vite types go to .sst: packages/web declares its own VITE_* variables.
    const site = new sst.aws.StaticSite("Web", {
      path: "packages/web",
      build: { command: "npm run build", output: "dist" },
      environment: { VITE_API_BASE: "/api" },
      vite: { types: "../../.sst/web-env.d.ts" },
      router: { instance: router },
      dev: false,
    });

    // Routes: the longest matching prefix wins. The stream's read timeout (the longest
    // CloudFront waits for the next byte) is four heartbeats.
    router.route("/api", api.url, { readTimeout: "30 seconds" });
    router.route("/api/webhook", webhook.url, { readTimeout: "30 seconds" });
    router.route("/api/chats/sse", stream.url, { readTimeout: "60 seconds" });

    return {
      url: router.url,
      site: site.url,
      api: api.url,
      webhook: webhook.url,
      stream: stream.url,
      agent: agent.name,
    };
  },
});
