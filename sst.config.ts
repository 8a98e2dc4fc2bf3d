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
/** GitHub Actions' OIDC issuer. */
const GITHUB_OIDC = "token.actions.githubusercontent.com";
/** Who may assume a function's role outside `sst dev`: Lambda alone. */
const LAMBDA_TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
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
      // Previews are deployed by .github/workflows/preview.yml by default. The Console deploys
      // them only when opted in (MURMUR_PREVIEWS=console in its environment, and the same
      // repository variable, which turns the workflow off): one deployer per stage, never two
      // deploys of one `pr-N` at once. Nothing else deploys by itself.
      target(event) {
        if (event.type === "pull_request" && process.env.MURMUR_PREVIEWS === "console") return { stage: `pr-${event.number}` };
      },
    },
  },
  async run() {
    const {
      ARCHITECTURE,
      DEFAULT_PAD_BYTES,
      FUNCTION_MEMORY_MB,
      HEARTBEAT_MS,
      REDIS_BLOCK_MS,
      STREAM_CONCURRENCY,
      STREAM_PLANNED_CLOSE_SECONDS,
      UPSTASH_BUDGET_USD,
      streamSlots,
    } = await import("./packages/functions/src/lambda/deployment.ts");
    const { WEB_HEADERS } = await import("./packages/functions/src/web-headers.ts");
    // README "Deploy" explains the padding's cost; `MURMUR_PAD_BYTES` at deploy time
    // overrides it (0: none), e.g. to measure with the probe.
    const PAD_BYTES = Number(process.env.MURMUR_PAD_BYTES || DEFAULT_PAD_BYTES);
    if (!Number.isInteger(PAD_BYTES) || PAD_BYTES < 0 || PAD_BYTES > 65_536) {
      throw new Error(`MURMUR_PAD_BYTES must be a whole number of bytes from 0 to 65536, got "${process.env.MURMUR_PAD_BYTES}"`);
    }
    const keyPrefix = `${$app.name}:${$app.stage}`;
    const production = $app.stage === "production";

    // Limits, on purpose (README "Production checklist"): Stream's reserved concurrency (the
    // most streams open at once, which Api, Agent and Webhook can never lose to it), and the
    // database's monthly budget.
    const concurrencySetting = process.env.MURMUR_STREAM_CONCURRENCY?.trim() || "";
    const streamConcurrency =
      concurrencySetting === "none"
        ? null
        : Number(concurrencySetting || (production ? STREAM_CONCURRENCY.production : STREAM_CONCURRENCY.other));
    if (streamConcurrency !== null && (!Number.isInteger(streamConcurrency) || streamConcurrency < 1)) {
      throw new Error(`MURMUR_STREAM_CONCURRENCY must be a whole number of at least 1, or "none", got "${concurrencySetting}"`);
    }
    const budget = Number(process.env.MURMUR_UPSTASH_BUDGET || UPSTASH_BUDGET_USD);
    if (!Number.isInteger(budget) || budget < 1) {
      throw new Error(`MURMUR_UPSTASH_BUDGET must be a whole number of dollars, got "${process.env.MURMUR_UPSTASH_BUDGET}"`);
    }

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
            // Past it Upstash rate-limits the database for the rest of the month: set, not defaulted.
            budget,
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
    // cookies, no CORS, HTTP/2). Api and Stream sit behind Origin Access Control: their
    // Function URLs take only requests CloudFront signed (AWS_IAM), so nothing skips the
    // router. CloudFront's signature takes `Authorization` (tokens come in `X-Murmur-Token`),
    // and a signed POST needs its body's SHA-256 in `x-amz-content-sha256` (the web app's
    // api.ts sends it). Webhook stays public: it checks its own signatures.
    //
    // The web app's security headers (functions/src/web-headers.ts, as the local server sends
    // them) are added by CloudFront to whatever lacks them: the site's files have none of
    // their own; the API's answers keep theirs.
    const webHeaders = new aws.cloudfront.ResponseHeadersPolicy("WebHeaders", {
      comment: "Murmur: the web app's CSP, no framing, nosniff, Referrer-Policy, HSTS",
      securityHeadersConfig: {
        contentSecurityPolicy: { contentSecurityPolicy: WEB_HEADERS["Content-Security-Policy"] as string, override: false },
        frameOptions: { frameOption: "DENY", override: false },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: WEB_HEADERS["Referrer-Policy"] as string, override: false },
        strictTransportSecurity: { accessControlMaxAgeSec: 31_536_000, includeSubdomains: false, override: false },
      },
      customHeadersConfig: {
        items: [{ header: "Cross-Origin-Opener-Policy", value: WEB_HEADERS["Cross-Origin-Opener-Policy"] as string, override: false }],
      },
    });
    const router = new sst.aws.Router("Router", {
      protection: "oac",
      transform: {
        cdn: (args) => {
          args.defaultCacheBehavior = $resolve([args.defaultCacheBehavior, webHeaders.id] as const).apply(([behavior, id]) => ({
            ...behavior,
            responseHeadersPolicyId: id,
          }));
        },
      },
    });

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
      // One JSON line per request and stream end (functions/src/log.ts); Lambda adds the request id.
      logging: { format: "json" as const },
      transform: {
        // SST 4.17 trusts the account root in every function role (a test shows it): outside
        // `sst dev`, which runs the functions on a developer's machine, only Lambda may assume them.
        role: (args: aws.iam.RoleArgs) => {
          if (!$dev) args.assumeRolePolicy = LAMBDA_TRUST;
          return undefined;
        },
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
      // Served same-origin (no CORS) through the router, which alone may call it (OAC).
      url: { cors: false, router: { instance: router, path: "/api", readTimeout: "30 seconds" } },
      timeout: "20 seconds",
      memory: `${FUNCTION_MEMORY_MB.Api} MB`,
      // The link grants lambda:InvokeFunction on Agent and hands the code its name.
      link: [...functionDefaults.link, agent],
    });
    const webhook = new sst.aws.Function("Webhook", {
      ...functionDefaults,
      handler: "packages/functions/src/lambda/webhook.handler",
      description: "Murmur: signed agent events and LangGraph completions",
      // Public (agents and LangGraph call it; it authenticates each call itself), routed below.
      url: { cors: false },
      timeout: "20 seconds",
      memory: `${FUNCTION_MEMORY_MB.Webhook} MB`,
    });
    const stream = new sst.aws.Function("Stream", {
      ...functionDefaults,
      handler: "packages/functions/src/lambda/stream.handler",
      description: "Murmur: the live SSE stream of one thread",
      // Behind the router alone (OAC). CloudFront waits at most readTimeout for the next byte: four heartbeats.
      url: { cors: false, router: { instance: router, path: "/api/chats/sse", readTimeout: "60 seconds" } },
      streaming: true,
      timeout: `${STREAM_TIMEOUT_SECONDS} seconds`,
      memory: `${FUNCTION_MEMORY_MB.Stream} MB`,
      // Each held stream is one execution: at most this many at once, and never Api's or Agent's.
      // The handler refuses streams past STREAM_MAX_OPEN in-band (`close` reason `busy`), so the
      // browser backs off before Lambda would throttle it.
      concurrency: streamConcurrency === null ? undefined : { reserved: streamConcurrency },
      environment: {
        ...functionDefaults.environment,
        SSE_MAX_DURATION_MS: String(STREAM_PLANNED_CLOSE_SECONDS * 1000),
        REDIS_BLOCK_MS: String(REDIS_BLOCK_MS),
        ...(streamConcurrency === null ? {} : { STREAM_MAX_OPEN: String(streamSlots(streamConcurrency)) }),
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
      assets: {
        // Vite's hashed bundles never change under their name; everything else is revalidated.
        fileOptions: [
          { files: "**", cacheControl: "max-age=0,must-revalidate" },
          { files: "assets/**", cacheControl: "max-age=31536000,public,immutable" },
          { files: "**/*.html", cacheControl: "max-age=0,no-cache,must-revalidate" },
        ],
      },
      router: { instance: router },
      dev: false,
    });

    // Routes: the longest matching prefix wins. Api and Stream route themselves (url.router,
    // with OAC); the webhook's plain route is unsigned, so its public URL takes the call.
    router.route("/api/webhook", webhook.url, { readTimeout: "30 seconds" });

    // Alarms: a stream refused or throttled is a user waiting; a Stream near its reservation is
    // one step before. To an SNS topic, mailed to MURMUR_ALERT_EMAIL when set.
    const alerts = new aws.sns.Topic("Alerts");
    if (process.env.MURMUR_ALERT_EMAIL) {
      new aws.sns.TopicSubscription("AlertsEmail", { topic: alerts.arn, protocol: "email", endpoint: process.env.MURMUR_ALERT_EMAIL });
    }
    const streamAlarm = (name: string, args: Partial<aws.cloudwatch.MetricAlarmArgs>) =>
      new aws.cloudwatch.MetricAlarm(name, {
        namespace: "AWS/Lambda",
        dimensions: { FunctionName: stream.name },
        period: 60,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
        alarmActions: [alerts.arn],
        okActions: [alerts.arn],
        metricName: "",
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        ...args,
      });
    if (streamConcurrency !== null) {
      streamAlarm("StreamConcurrencyAlarm", {
        alarmDescription: `Stream holds 80% of its ${streamConcurrency} reserved executions: streams past ${streamSlots(streamConcurrency)} are refused (busy)`,
        metricName: "ConcurrentExecutions",
        statistic: "Maximum",
        threshold: Math.ceil(streamConcurrency * 0.8),
      });
    }
    streamAlarm("StreamThrottleAlarm", {
      alarmDescription: "Lambda throttled Stream: browsers got 429 and back off; raise MURMUR_STREAM_CONCURRENCY or the account quota",
      metricName: "Throttles",
      statistic: "Sum",
    });
    // Upstash's budget has no metric CloudWatch can see, and @upstash/pulumi 0.5.0 no alert
    // resource: README "Production checklist" says where to watch it.

    // Previews' deploy role (production only, when MURMUR_GITHUB_REPOSITORY=owner/name is set):
    // GitHub's OIDC tokens for pull requests of that repository alone may assume it.
    const repository = process.env.MURMUR_GITHUB_REPOSITORY?.trim();
    let previewRole: aws.iam.Role | undefined;
    if (production && repository) {
      if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
        throw new Error(`MURMUR_GITHUB_REPOSITORY must be owner/name, got "${repository}"`);
      }
      const provider =
        process.env.MURMUR_GITHUB_OIDC_PROVIDER_ARN ||
        new aws.iam.OpenIdConnectProvider("GithubOidc", {
          url: `https://${GITHUB_OIDC}`,
          clientIdLists: ["sts.amazonaws.com"],
        }).arn;
      previewRole = new aws.iam.Role("PreviewDeployRole", {
        description: `Deploys and removes pr-N stages of murmur from ${repository}'s pull requests`,
        assumeRolePolicy: $jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Federated: provider },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: {
                StringEquals: { [`${GITHUB_OIDC}:aud`]: "sts.amazonaws.com", [`${GITHUB_OIDC}:sub`]: `repo:${repository}:pull_request` },
              },
            },
          ],
        }),
        // What `sst deploy` and `sst remove` of a stage create and delete (SST's own guidance).
        managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
        maxSessionDuration: 3600,
      });
    }

    return {
      url: router.url,
      site: site.url,
      api: api.url,
      webhook: webhook.url,
      stream: stream.url,
      agent: agent.name,
      alerts: alerts.arn,
      ...(previewRole ? { previewRole: previewRole.arn } : {}),
    };
  },
});
