import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "./config.ts";

const secrets = { SESSION_SECRET: "s".repeat(32), WEBHOOK_SECRET: "w".repeat(16) };

describe("configuration", () => {
  it("has defaults for everything but the secrets", () => {
    const config = readConfig(secrets, "local");
    expect(config).toMatchObject({
      port: 3000,
      host: "127.0.0.1",
      eventLog: { adapter: "memory", maxEventsPerThread: 10_000 },
      sse: { heartbeatMs: 15_000, retryMs: 1_000, padBytes: 0 },
      agent: { kind: "demo", deltaWindowMs: 50 },
      stream: { policy: "always", lingerMs: 5_000, idleCheckMs: 60_000 },
    });
    expect(Object.isFrozen(config.sse)).toBe(true);
    // The cloud holds streams on demand and batches deltas longer (fewer billed commands).
    expect(readConfig(secrets, "cloud")).toMatchObject({ stream: { policy: "on-demand" }, agent: { deltaWindowMs: 1000 } });
    expect(readConfig({ ...secrets, STREAM_POLICY: "always", DELTA_WINDOW_MS: "250" }, "cloud")).toMatchObject({
      stream: { policy: "always" },
      agent: { deltaWindowMs: 250 },
    });
  });

  it("names the variable that is wrong", () => {
    expect(() => readConfig({}, "local")).toThrow("SESSION_SECRET is required");
    expect(() => readConfig({ ...secrets, PORT: "http" }, "local")).toThrow('PORT must be a whole number, got "http"');
    expect(() => readConfig({ ...secrets, SSE_HEARTBEAT_MS: "60000" }, "local")).toThrow(/SSE_HEARTBEAT_MS must be between 100 and 15000/);
    expect(() => readConfig({ ...secrets, DELTA_WINDOW_MS: "2001" }, "local")).toThrow(/DELTA_WINDOW_MS must be between 0 and 2000/);
    expect(() => readConfig({ ...secrets, STREAM_POLICY: "sometimes" }, "local")).toThrow(/STREAM_POLICY must be one of always, on-demand/);
    expect(() => readConfig({ ...secrets, AGENT: "gpt" }, "local")).toThrow(ConfigError);
    expect(() => readConfig({ ...secrets, WEBHOOK_SECRET: "short" }, "local")).toThrow(/WEBHOOK_SECRET must be at least 16/);
  });

  it("reads the limits and the read timeouts, naming the variable that is wrong", () => {
    expect(readConfig(secrets, "local")).toMatchObject({
      limits: {
        sessionSendsPerMinute: 30,
        threadSendsPerMinute: 20,
        threadsPerHour: 100,
        streamsPerSession: 20,
        runsPerThread: 1,
        messageBytes: 16_384,
        replyBytes: 65_536,
      },
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 },
    });
    expect(readConfig({ ...secrets, LIMIT_SENDS_PER_MINUTE: "0", LIMIT_REPLY_BYTES: "4096" }, "cloud").limits).toMatchObject({
      sessionSendsPerMinute: 0,
      replyBytes: 4096,
    });
    expect(() => readConfig({ ...secrets, LIMIT_REPLY_BYTES: "100000" }, "local")).toThrow(
      /LIMIT_REPLY_BYTES must be between 1024 and 65536/,
    );
    expect(() => readConfig({ ...secrets, LIMIT_MESSAGE_BYTES: "0" }, "local")).toThrow(/LIMIT_MESSAGE_BYTES must be between 1 and 16384/);
    expect(() => readConfig({ ...secrets, LIMIT_STREAMS_PER_SESSION: "-1" }, "local")).toThrow(/LIMIT_STREAMS_PER_SESSION/);
    expect(() => readConfig({ ...secrets, HTTP_HEADERS_TIMEOUT_MS: "40000" }, "local")).toThrow(
      "HTTP_HEADERS_TIMEOUT_MS (40000) must not exceed HTTP_REQUEST_TIMEOUT_MS (30000)",
    );
  });

  it("reads overrides", () => {
    const config = readConfig({ ...secrets, PORT: "0", SSE_MAX_DURATION_MS: "0", DEMO_PACE_MS: "5" }, "cloud");
    expect(config).toMatchObject({ mode: "cloud", port: 0, sse: { maxDurationMs: 0 }, agent: { paceMs: 5 } });
  });

  it("chooses the event log from REDIS_URL and UPSTASH_REDIS_REST_URL", () => {
    expect(readConfig(secrets, "local").eventLog.adapter).toBe("memory");
    expect(readConfig({ ...secrets, REDIS_URL: "redis://127.0.0.1:6379" }, "local").eventLog).toMatchObject({
      adapter: "redis",
      url: "redis://127.0.0.1:6379",
      prefix: "murmur:local",
      blockMs: 10_000,
    });
    const upstash = { ...secrets, UPSTASH_REDIS_REST_URL: "https://x.upstash.io", UPSTASH_REDIS_REST_TOKEN: "t" };
    expect(readConfig(upstash, "cloud").eventLog).toMatchObject({
      adapter: "upstash",
      tailUrl: null,
      prefix: "murmur:cloud",
      pollMaxMs: 2000,
    });
    expect(readConfig({ ...upstash, REDIS_URL: "rediss://default:pw@x.upstash.io:6379" }, "cloud").eventLog).toMatchObject({
      adapter: "upstash",
      tailUrl: "rediss://default:pw@x.upstash.io:6379",
    });
  });

  it("names what is wrong with the event log settings, without echoing credentials", () => {
    expect(() => readConfig({ ...secrets, REDIS_URL: "http://x" }, "local")).toThrow(
      'REDIS_URL must start with redis:// or rediss:// or redis+cluster:// or rediss+cluster://, got "http://"',
    );
    expect(() => readConfig({ ...secrets, REDIS_URL: "redis//user:secret@x" }, "local")).toThrow(/REDIS_URL must be a URL/);
    expect(() => readConfig({ ...secrets, UPSTASH_REDIS_REST_URL: "https://x" }, "local")).toThrow("UPSTASH_REDIS_REST_TOKEN is required");
    expect(() => readConfig({ ...secrets, MURMUR_KEY_PREFIX: "a b" }, "local")).toThrow(/MURMUR_KEY_PREFIX/);
  });

  it("chooses a Redis Cluster from REDIS_CLUSTER_NODES or a redis+cluster:// REDIS_URL", () => {
    expect(readConfig({ ...secrets, REDIS_CLUSTER_NODES: "10.0.0.1:7000, 10.0.0.2:7001,[::1]:7002,redis-c" }, "local").eventLog).toEqual({
      adapter: "redis-cluster",
      maxEventsPerThread: 10_000,
      runLeaseMs: 20_000,
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "10.0.0.2", port: 7001 },
        { host: "::1", port: 7002 },
        { host: "redis-c", port: 6379 },
      ],
      username: null,
      password: null,
      tls: false,
      prefix: "murmur:local",
      commandTimeoutMs: 3000,
    });
    expect(
      readConfig({ ...secrets, REDIS_URL: "rediss+cluster://app:p%40ss@a.example:6380,b.example:6380/" }, "local").eventLog,
    ).toMatchObject({
      adapter: "redis-cluster",
      nodes: [
        { host: "a.example", port: 6380 },
        { host: "b.example", port: 6380 },
      ],
      username: "app",
      password: "p@ss",
      tls: true,
    });
  });

  it("names what is wrong with the cluster settings, without echoing credentials", () => {
    expect(() => readConfig({ ...secrets, REDIS_CLUSTER_NODES: "10.0.0.1:7000,:7001" }, "local")).toThrow(
      'REDIS_CLUSTER_NODES must list cluster nodes as host:port separated by commas, got ":7001"',
    );
    expect(() => readConfig({ ...secrets, REDIS_CLUSTER_NODES: "a:99999" }, "local")).toThrow(/REDIS_CLUSTER_NODES must list/);
    expect(() => readConfig({ ...secrets, REDIS_CLUSTER_NODES: "a:1", REDIS_URL: "redis://b:2" }, "local")).toThrow(
      /REDIS_CLUSTER_NODES and REDIS_URL both/,
    );
    expect(() => readConfig({ ...secrets, REDIS_URL: "redis+cluster://u:secret@a:1/0" }, "local")).toThrow(/without a path/);
    expect(() => readConfig({ ...secrets, REDIS_URL: "redis+cluster://u:secret@a:1/0" }, "local")).not.toThrow(/secret/);
    const upstash = { ...secrets, UPSTASH_REDIS_REST_URL: "https://x.upstash.io", UPSTASH_REDIS_REST_TOKEN: "t" };
    expect(() => readConfig({ ...upstash, REDIS_CLUSTER_NODES: "a:1" }, "cloud")).toThrow(/REDIS_CLUSTER_NODES names a Redis Cluster/);
  });

  it("reads the OpenAI-compatible agent's settings, with defaults", () => {
    const local = { ...secrets, AGENT: "openai", OPENAI_BASE_URL: "http://127.0.0.1:11434/v1/", OPENAI_MODEL: "llama3" };
    expect(readConfig(local, "local")).toMatchObject({
      agent: {
        kind: "openai",
        baseUrl: "http://127.0.0.1:11434/v1",
        apiKey: null,
        model: "llama3",
        historyChars: 24_000,
        timeoutMs: 60_000,
        maxRetries: 2,
      },
    });
    const openai = readConfig(
      { ...secrets, AGENT: "openai", OPENAI_API_KEY: "sk-x", OPENAI_MODEL: "gpt-4o-mini", OPENAI_HISTORY_CHARS: "0" },
      "cloud",
    );
    expect(openai.agent).toMatchObject({ baseUrl: "https://api.openai.com/v1", apiKey: "sk-x", historyChars: 0, deltaWindowMs: 1000 });
  });

  it("reads the LangGraph agent's settings and where its webhook reaches us", () => {
    const env = { ...secrets, AGENT: "langgraph", LANGGRAPH_URL: "http://127.0.0.1:2024", LANGGRAPH_ASSISTANT_ID: "agent" };
    expect(readConfig(env, "local")).toMatchObject({
      publicUrl: null,
      agent: { kind: "langgraph", url: "http://127.0.0.1:2024", assistantId: "agent", apiKey: null, stream: false },
    });
    const cloud = readConfig(
      { ...env, PUBLIC_URL: "https://chat.example.com/", LANGGRAPH_STREAM: "true", LANGGRAPH_API_KEY: "lsv2" },
      "cloud",
    );
    expect(cloud).toMatchObject({ publicUrl: "https://chat.example.com", agent: { stream: true, apiKey: "lsv2" } });
  });

  it("names the agent variable that is missing or wrong, and never echoes a key", () => {
    const openai = { ...secrets, AGENT: "openai" };
    expect(() => readConfig({ ...secrets, AGENT: "gpt" }, "local")).toThrow('AGENT must be one of demo, openai, langgraph, got "gpt"');
    expect(() => readConfig({ ...openai, OPENAI_MODEL: "m" }, "local")).toThrow(
      "OPENAI_API_KEY is required when AGENT=openai talks to OpenAI's API",
    );
    expect(() => readConfig({ ...openai, OPENAI_API_KEY: "sk-x" }, "local")).toThrow(/^OPENAI_MODEL is required when AGENT=openai/);
    expect(() => readConfig({ ...openai, OPENAI_BASE_URL: "ftp://x", OPENAI_MODEL: "m" }, "local")).toThrow(
      /OPENAI_BASE_URL must start with https:\/\//,
    );
    expect(() => readConfig({ ...openai, OPENAI_API_KEY: "sk-x", OPENAI_MODEL: "m", OPENAI_TIMEOUT_MS: "5" }, "local")).toThrow(
      /OPENAI_TIMEOUT_MS/,
    );
    const langgraph = { ...secrets, AGENT: "langgraph", LANGGRAPH_URL: "http://127.0.0.1:2024", LANGGRAPH_ASSISTANT_ID: "agent" };
    expect(() => readConfig({ ...langgraph, LANGGRAPH_URL: "" }, "local")).toThrow("LANGGRAPH_URL is required when AGENT=langgraph");
    expect(() => readConfig({ ...langgraph, LANGGRAPH_ASSISTANT_ID: " " }, "local")).toThrow(/^LANGGRAPH_ASSISTANT_ID is required/);
    expect(() => readConfig({ ...langgraph, LANGGRAPH_STREAM: "yes" }, "local")).toThrow(
      'LANGGRAPH_STREAM must be true or false, got "yes"',
    );
    expect(() => readConfig({ ...langgraph, PUBLIC_URL: "chat.example.com" }, "local")).toThrow(/PUBLIC_URL must be a URL/);
    expect(() => readConfig(langgraph, "cloud")).toThrow(/^PUBLIC_URL is required when AGENT=langgraph in cloud mode/);
    let message = "";
    try {
      readConfig({ ...langgraph, LANGGRAPH_API_KEY: "lsv2_secret_value", LANGGRAPH_STREAM: "maybe" }, "local");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/LANGGRAPH_STREAM/);
    expect(message).not.toContain("lsv2_secret_value");
  });
});
