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
    });
    expect(Object.isFrozen(config.sse)).toBe(true);
  });

  it("names the variable that is wrong", () => {
    expect(() => readConfig({}, "local")).toThrow("SESSION_SECRET is required");
    expect(() => readConfig({ ...secrets, PORT: "http" }, "local")).toThrow('PORT must be a whole number, got "http"');
    expect(() => readConfig({ ...secrets, SSE_HEARTBEAT_MS: "60000" }, "local")).toThrow(/SSE_HEARTBEAT_MS must be between 100 and 15000/);
    expect(() => readConfig({ ...secrets, DELTA_WINDOW_MS: "51" }, "local")).toThrow(/DELTA_WINDOW_MS/);
    expect(() => readConfig({ ...secrets, AGENT: "gpt" }, "local")).toThrow(ConfigError);
    expect(() => readConfig({ ...secrets, WEBHOOK_SECRET: "short" }, "local")).toThrow(/WEBHOOK_SECRET must be at least 16/);
  });

  it("reads overrides", () => {
    const config = readConfig({ ...secrets, PORT: "0", SSE_MAX_DURATION_MS: "0", DEMO_PACE_MS: "5" }, "cloud");
    expect(config).toMatchObject({ mode: "cloud", port: 0, sse: { maxDurationMs: 0 }, agent: { paceMs: 5 } });
  });
});
