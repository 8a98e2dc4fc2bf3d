import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { WEB_HEADERS } from "./packages/functions/src/web-headers.ts";
import { evaluateStage, type Graph, type RecordedResource } from "./sst.config.mocks.ts";

// sst.config.ts evaluated as `sst deploy --stage <stage>` would, under Pulumi mocks, offline.
const SECRETS = {
  SessionSecret: "session-secret-value-0123456789abcdef",
  WebhookSecret: "webhook-secret-value-0123",
  OpenAiApiKey: "sk-openai-secret-value",
};
const SHARED_DATABASE = {
  UpstashRestUrl: "https://shared-previews-11111.upstash.io",
  UpstashRestToken: "shared-rest-token-secret",
  UpstashRedisUrl: "rediss://default:shared-password-secret@shared-previews-11111.upstash.io:6379",
};
const FUNCTIONS = ["Agent", "Api", "Webhook", "Stream"];

const fn = (graph: Graph, name: string) =>
  graph.ofType("aws:lambda/function:Function").find((r) => r.name === `${name}Function`) as RecordedResource;
const url = (graph: Graph, name: string) => graph.ofType("aws:lambda/functionUrl:FunctionUrl").find((r) => r.name === `${name}Url`);
const links = (graph: Graph, name: string) => graph.builds.find((b) => b.functionID === name)?.links ?? {};

/** The router's routes: path prefix -> the origin host and timeouts it sends that path to. */
function routes(graph: Graph): Record<string, { type: string; metadata: Record<string, unknown> }> {
  const dynamic = graph.ofType("pulumi-nodejs:dynamic:Resource");
  const metadata = new Map(
    dynamic
      .filter((r) => r.name.endsWith(".sst.aws.KvKeys"))
      .map((r) => [r.inputs.namespace, JSON.parse(r.inputs.entries.metadata ?? "{}")]),
  );
  const out: Record<string, { type: string; metadata: Record<string, unknown> }> = {};
  for (const update of dynamic.filter((r) => r.name.endsWith(".sst.aws.KvRoutesUpdate"))) {
    const [type, namespace, , path] = String(update.inputs.entry).split(",");
    out[path || "/"] = { type: type as string, metadata: metadata.get(namespace) };
  }
  return out;
}

/** Every trust policy in the graph, parsed. */
const trusts = (graph: Graph) =>
  graph.ofType("aws:iam/role:Role").map((r) => ({ name: r.name, policy: JSON.parse(r.inputs.assumeRolePolicy) }));
const permissions = (graph: Graph, name: string) =>
  graph
    .ofType("aws:lambda/permission:Permission")
    .filter((p) => p.name.startsWith(name))
    .map((p) => ({ principal: p.inputs.principal, sourceArn: p.inputs.sourceArn, action: p.inputs.action }));

describe("production", () => {
  let graph: Graph;
  beforeAll(async () => {
    process.env.MURMUR_GITHUB_REPOSITORY = "acme/murmur";
    try {
      graph = await evaluateStage("production", SECRETS);
    } finally {
      delete process.env.MURMUR_GITHUB_REPOSITORY;
    }
  });

  it("is retained and protected", () => {
    expect(graph.app).toMatchObject({ name: "murmur", home: "aws", removal: "retain", protect: true });
    expect(graph.outputs._protect).toBe(true);
  });

  it("owns an Upstash database, protected, linked with its REST URL, REST token, TCP URL and the stage's key prefix", () => {
    const [database] = graph.ofType("upstash:index/redisDatabase:RedisDatabase");
    expect(database).toMatchObject({
      inputs: { databaseName: "murmur-production", region: "global", primaryRegion: "us-east-1", eviction: false },
      protect: true,
      retainOnDelete: true,
    });
    for (const name of FUNCTIONS) {
      expect(links(graph, name).Upstash).toMatchObject({
        restUrl: "https://murmur-production-00000.upstash.io",
        restToken: "mock-db-rest-token",
        tcpUrl: "rediss://default:mock-db-password@murmur-production-00000.upstash.io:6379",
        keyPrefix: "murmur:production",
      });
    }
  });

  it("sets the database's monthly budget instead of the provider's $20", () => {
    const [database] = graph.ofType("upstash:index/redisDatabase:RedisDatabase");
    expect(database?.inputs.budget).toBe(100);
  });

  it("lets only CloudFront call Api and Stream (Origin Access Control), and keeps Webhook public", () => {
    const distribution = graph.ofType("aws:cloudfront/distribution:Distribution")[0]?.name as string;
    for (const name of ["Api", "Stream"]) {
      expect(url(graph, name)?.inputs.authorizationType).toBe("AWS_IAM");
      // Both the URL and the invoke it makes, from this distribution alone; nobody else.
      expect(permissions(graph, name)).toEqual([
        { principal: "cloudfront.amazonaws.com", sourceArn: expect.stringContaining(distribution), action: "lambda:InvokeFunctionUrl" },
        { principal: "cloudfront.amazonaws.com", sourceArn: expect.stringContaining(distribution), action: "lambda:InvokeFunction" },
      ]);
    }
    expect(url(graph, "Webhook")?.inputs.authorizationType).toBe("NONE");
    expect(permissions(graph, "Webhook").map((p) => p.principal)).toEqual(["*", "*"]);
    // CloudFront signs what it sends to the two protected origins, and only to them.
    const table = routes(graph);
    for (const path of ["/api", "/api/chats/sse"]) {
      expect(table[path]?.metadata.origin).toMatchObject({
        originAccessControlConfig: { enabled: true, signingBehavior: "always", signingProtocol: "sigv4", originType: "lambda" },
      });
    }
    expect(table["/api/webhook"]?.metadata.origin).not.toHaveProperty("originAccessControlConfig");
  });

  it("reserves Stream's concurrency, leaves the rest to Api, Agent and Webhook, and refuses streams in-band before the limit", () => {
    const stream = fn(graph, "Stream").inputs;
    expect(stream.reservedConcurrentExecutions).toBe(400);
    // 5% kept free: a refusal takes an execution for milliseconds.
    expect(stream.environment.variables.STREAM_MAX_OPEN).toBe("380");
    for (const name of ["Api", "Agent", "Webhook"]) expect(fn(graph, name).inputs.reservedConcurrentExecutions).toBeUndefined();
  });

  it("alarms on Stream near its reservation and on any throttle", () => {
    const alarms = graph.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs);
    const streamName = fn(graph, "Stream").inputs.name;
    expect(alarms).toMatchObject([
      { metricName: "ConcurrentExecutions", statistic: "Maximum", threshold: 320, dimensions: { FunctionName: streamName } },
      { metricName: "Throttles", statistic: "Sum", threshold: 1, dimensions: { FunctionName: streamName } },
    ]);
    for (const alarm of alarms) expect(alarm.alarmActions).toEqual([graph.outputs.alerts]);
  });

  it("logs every function as JSON", () => {
    for (const name of FUNCTIONS) expect(fn(graph, name).inputs.loggingConfig).toMatchObject({ logFormat: "JSON" });
  });

  it("trusts no account root: functions trust Lambda alone, the previews' deploy role the repository's pull requests alone", () => {
    // SST 4.17 adds `arn:aws:iam::<account>:root` to every function role's trust (its dev-mode
    // check tests an Output, which is always truthy); sst.config.ts overrides it outside `sst dev`.
    for (const { name, policy } of trusts(graph)) expect(JSON.stringify(policy), name).not.toMatch(/:root/);
    for (const name of FUNCTIONS) {
      expect(trusts(graph).find((t) => t.name === `${name}Role`)?.policy.Statement).toEqual([
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]);
    }
    const [provider] = graph.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    expect(provider?.inputs).toMatchObject({ url: "https://token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"] });
    expect(trusts(graph).find((t) => t.name === "PreviewDeployRole")?.policy.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Federated: expect.stringContaining("GithubOidc") },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:acme/murmur:pull_request",
          },
        },
      },
    ]);
    expect(graph.outputs.previewRole).toContain("PreviewDeployRole");
  });

  it("serves the site's hashed assets as immutable and revalidates index.html and everything else", () => {
    const files = graph.resources.find((r) => r.name === "WebAssetFiles.sst.aws.BucketFiles")?.inputs.files as {
      key: string;
      cacheControl: string;
    }[];
    const cache = Object.fromEntries(files.map((f) => [f.key, f.cacheControl]));
    expect(cache["index.html"]).toBe("max-age=0,no-cache,must-revalidate");
    const assets = Object.keys(cache).filter((key) => key.startsWith("assets/"));
    expect(assets.length).toBeGreaterThan(0);
    for (const key of assets) {
      expect(key).toMatch(/-[\w-]{8}\.(js|css)$/); // Vite's content hash in the name
      expect(cache[key]).toBe("max-age=31536000,public,immutable");
    }
    for (const [key, value] of Object.entries(cache))
      if (!key.startsWith("assets/") && key !== "index.html") expect(value).toContain("must-revalidate");
  });

  it("has CloudFront add the web app's security headers, the local server's own, to what lacks them", () => {
    const policy = graph.ofType("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")[0] as RecordedResource;
    expect(policy.inputs.securityHeadersConfig).toMatchObject({
      contentSecurityPolicy: { contentSecurityPolicy: WEB_HEADERS["Content-Security-Policy"], override: false },
      frameOptions: { frameOption: "DENY" },
      referrerPolicy: { referrerPolicy: WEB_HEADERS["Referrer-Policy"] },
      contentTypeOptions: { override: true },
    });
    const distribution = graph.ofType("aws:cloudfront/distribution:Distribution")[0] as RecordedResource;
    expect(distribution.inputs.defaultCacheBehavior.responseHeadersPolicyId).toBe(`${policy.name}-id`);
  });

  it("streams the Stream function's URL and buffers the others", () => {
    expect(url(graph, "Stream")?.inputs).toMatchObject({ invokeMode: "RESPONSE_STREAM", authorizationType: "AWS_IAM" });
    // Same origin through the router: no CORS on the function URLs.
    for (const name of ["Api", "Webhook", "Stream"]) expect(url(graph, name)?.inputs.cors).toBeUndefined();
    expect(url(graph, "Api")?.inputs.invokeMode).toBe("BUFFERED");
    expect(url(graph, "Webhook")?.inputs.invokeMode).toBe("BUFFERED");
    expect(url(graph, "Agent")).toBeUndefined();
  });

  it("runs every function on nodejs22.x, and gives the stream a minute after its planned close", () => {
    for (const name of FUNCTIONS) expect(fn(graph, name).inputs).toMatchObject({ runtime: "nodejs22.x", architectures: ["arm64"] });
    const stream = fn(graph, "Stream").inputs;
    // Lambda's least: measured to fit a held stream with room to spare (`npm run bundles`).
    expect(stream.memorySize).toBe(128);
    const plannedCloseMs = Number(stream.environment.variables.SSE_MAX_DURATION_MS);
    expect(stream.timeout).toBe(900);
    expect(stream.timeout * 1000 - plannedCloseMs).toBeGreaterThanOrEqual(60_000);
    expect(Number(stream.environment.variables.SSE_PAD_BYTES)).toBeGreaterThan(0);
    // LangGraph calls the webhook back through the router.
    expect(fn(graph, "Agent").inputs.environment.variables.PUBLIC_URL).toBe(graph.outputs.url);
  });

  it("minifies every function's bundle, as the bundle sizes were measured (the CLI does not by default)", () => {
    for (const name of FUNCTIONS) {
      expect(graph.builds.find((b) => b.functionID === name)?.properties).toMatchObject({ minify: true, architecture: "arm64" });
    }
  });

  it("links what each function needs, and lets only Api invoke Agent, which AWS retries twice", () => {
    expect(Object.keys(links(graph, "Api")).sort()).toEqual(["Agent", "SessionSecret", "Upstash", "WebhookSecret"]);
    expect(Object.keys(links(graph, "Agent")).sort()).toEqual([
      "LangGraphApiKey",
      "OpenAiApiKey",
      "SessionSecret",
      "Upstash",
      "WebhookSecret",
    ]);
    for (const name of ["Webhook", "Stream"])
      expect(Object.keys(links(graph, name)).sort()).toEqual(["SessionSecret", "Upstash", "WebhookSecret"]);
    const invokesAgent = (name: string) =>
      graph
        .ofType("aws:iam/role:Role")
        .find((r) => r.name === `${name}Role`)
        ?.inputs.inlinePolicies.some((p: { policy: string }) =>
          JSON.parse(p.policy).Statement.some(
            (s: { actions: string[]; resources: string[] }) =>
              s.actions.includes("lambda:InvokeFunction") && s.resources.some((r) => r.includes("AgentFunction")),
          ),
        );
    expect(FUNCTIONS.filter(invokesAgent)).toEqual(["Api"]);
    expect(graph.ofType("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")).toMatchObject([
      { name: "AgentEventInvokeConfig", inputs: { maximumRetryAttempts: 2 } },
    ]);
  });

  it("keeps every secret out of the functions' environment variables", () => {
    const secrets = [...Object.values(SECRETS), "mock-db-password", "mock-db-rest-token"];
    for (const name of FUNCTIONS) {
      const variables: Record<string, string> = fn(graph, name).inputs.environment.variables;
      for (const [key, value] of Object.entries(variables)) {
        for (const secret of secrets) expect(`${key}=${value}`).not.toContain(secret);
      }
      expect(Object.keys(variables)).not.toContain("SESSION_SECRET");
    }
  });

  it("routes one domain: the site at /, the API, the webhook and the stream to their functions", () => {
    const table = routes(graph);
    const host = (name: string) => expect.stringMatching(new RegExp(`^${name.toLowerCase()}url\\w+\\.lambda-url\\.`));
    expect(Object.keys(table).sort()).toEqual(["/", "/api", "/api/chats/sse", "/api/webhook"]);
    expect(table["/"]?.type).toBe("site");
    expect(table["/api"]?.metadata).toMatchObject({ host: host("Api"), origin: { timeouts: { readTimeout: 30 } } });
    expect(table["/api/webhook"]?.metadata).toMatchObject({ host: new URL(graph.outputs.webhook as string).host });
    expect(table["/api/chats/sse"]?.metadata).toMatchObject({ host: host("Stream"), origin: { timeouts: { readTimeout: 60 } } });
    // CloudFront waits at most readTimeout for the next byte: four heartbeats (SSE_HEARTBEAT_MS).
    const heartbeatMs = Number(fn(graph, "Stream").inputs.environment.variables.SSE_HEARTBEAT_MS);
    expect(heartbeatMs * 4).toBeLessThanOrEqual(60_000);
  });

  it("builds the SolidJS site with Vite and outputs the site URL and where each function is reached", () => {
    const [builder] = graph.ofType("command:local:Command");
    expect(builder?.inputs).toMatchObject({ create: "npm run build", environment: { VITE_API_BASE: "/api" } });
    expect(builder?.inputs.dir).toMatch(/packages\/web$/);
    expect(graph.outputs).toMatchObject({
      url: "https://d111111abcdef8.cloudfront.net",
      site: "https://d111111abcdef8.cloudfront.net",
      // Api and Stream only through the router; Webhook's own URL answers too.
      api: "https://d111111abcdef8.cloudfront.net/api",
      webhook: expect.stringMatching(/^https:\/\/.+\.lambda-url\.us-east-1\.on\.aws\/$/),
      stream: "https://d111111abcdef8.cloudfront.net/api/chats/sse",
      agent: expect.stringContaining("AgentFunction"),
    });
  });
});

describe("a pull-request stage", () => {
  let graph: Graph;
  beforeAll(async () => {
    graph = await evaluateStage("pr-7", { ...SECRETS, ...SHARED_DATABASE });
  });

  it("is removed with its stage and shares the database named by secrets, under its own key prefix", () => {
    expect(graph.app).toMatchObject({ removal: "remove", protect: false });
    expect(graph.ofType("upstash:index/redisDatabase:RedisDatabase")).toEqual([]);
    expect(links(graph, "Api").Upstash).toMatchObject({
      restUrl: SHARED_DATABASE.UpstashRestUrl,
      restToken: SHARED_DATABASE.UpstashRestToken,
      tcpUrl: SHARED_DATABASE.UpstashRedisUrl,
      keyPrefix: "murmur:pr-7",
    });
    // A preview reserves a few streams of the account production shares, and creates no deploy role.
    expect(fn(graph, "Stream").inputs).toMatchObject({
      reservedConcurrentExecutions: 10,
      environment: { variables: { STREAM_MAX_OPEN: "9" } },
    });
    expect(graph.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")).toEqual([]);
    for (const { policy } of trusts(graph)) expect(JSON.stringify(policy)).not.toMatch(/:root/);
    for (const name of FUNCTIONS) {
      const variables = JSON.stringify(fn(graph, name).inputs.environment.variables);
      for (const secret of Object.values(SHARED_DATABASE)) expect(variables).not.toContain(secret);
    }
  });
});

describe("previews", () => {
  type Autodeploy = { target(event: { type: string; number?: number }): { stage: string } | undefined };
  const target = async (event: { type: string; number?: number }) =>
    ((await import("./sst.config.ts")).default as unknown as { console: { autodeploy: Autodeploy } }).console.autodeploy.target(event);

  it("are deployed by the workflow unless the Console is opted in, so one pull request never has two deployers", async () => {
    expect(await target({ type: "pull_request", number: 7 })).toBeUndefined();
    process.env.MURMUR_PREVIEWS = "console";
    try {
      expect(await target({ type: "pull_request", number: 7 })).toEqual({ stage: "pr-7" });
      expect(await target({ type: "branch" })).toBeUndefined();
    } finally {
      delete process.env.MURMUR_PREVIEWS;
    }
    const workflow = readFileSync(new URL(".github/workflows/preview.yml", import.meta.url), "utf8");
    // The workflow stands down when the Console deploys, and never runs two deploys of one stage.
    expect(workflow.match(/vars\.MURMUR_PREVIEWS != 'console'/g)).toHaveLength(2);
    expect(workflow).toMatch(
      /concurrency:\n {2}group: preview-pr-\$\{\{ github\.event\.pull_request\.number \}\}\n {2}cancel-in-progress: false/,
    );
    expect(workflow).toMatch(/role-to-assume: \$\{\{ vars\.AWS_DEPLOY_ROLE_ARN \}\}/);
  });
});
