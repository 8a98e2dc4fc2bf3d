import { beforeAll, describe, expect, it } from "vitest";
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

describe("production", () => {
  let graph: Graph;
  beforeAll(async () => {
    graph = await evaluateStage("production", SECRETS);
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

  it("streams the Stream function's URL and buffers the others", () => {
    expect(url(graph, "Stream")?.inputs).toMatchObject({ invokeMode: "RESPONSE_STREAM", authorizationType: "NONE" });
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
    const host = (name: string) => new URL(graph.outputs[name] as string).host;
    expect(Object.keys(table).sort()).toEqual(["/", "/api", "/api/chats/sse", "/api/webhook"]);
    expect(table["/"]?.type).toBe("site");
    expect(table["/api"]?.metadata).toMatchObject({ host: host("api") });
    expect(table["/api/webhook"]?.metadata).toMatchObject({ host: host("webhook") });
    expect(table["/api/chats/sse"]?.metadata).toMatchObject({ host: host("stream"), origin: { timeouts: { readTimeout: 60 } } });
    // CloudFront waits at most readTimeout for the next byte: four heartbeats (SSE_HEARTBEAT_MS).
    const heartbeatMs = Number(fn(graph, "Stream").inputs.environment.variables.SSE_HEARTBEAT_MS);
    expect(heartbeatMs * 4).toBeLessThanOrEqual(60_000);
  });

  it("builds the SolidJS site with Vite and outputs the site URL and each function URL", () => {
    const [builder] = graph.ofType("command:local:Command");
    expect(builder?.inputs).toMatchObject({ create: "npm run build", environment: { VITE_API_BASE: "/api" } });
    expect(builder?.inputs.dir).toMatch(/packages\/web$/);
    expect(graph.outputs).toMatchObject({
      url: "https://d111111abcdef8.cloudfront.net",
      site: "https://d111111abcdef8.cloudfront.net",
      api: expect.stringMatching(/^https:\/\/.+\.lambda-url\.us-east-1\.on\.aws\/$/),
      webhook: expect.stringMatching(/\.lambda-url\./),
      stream: expect.stringMatching(/\.lambda-url\./),
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
    for (const name of FUNCTIONS) {
      const variables = JSON.stringify(fn(graph, name).inputs.environment.variables);
      for (const secret of Object.values(SHARED_DATABASE)) expect(variables).not.toContain(secret);
    }
  });
});
