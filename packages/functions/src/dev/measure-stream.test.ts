import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalServer, startLocalServer } from "../local/start.ts";
import { testConfig } from "../testing/config.ts";
import { loadStreamProbeConfig } from "./config.ts";
import { describeMeasurement, measureStream } from "./measure-stream.ts";

// The probe is for deployed stages; here it runs against the local server on loopback,
// which speaks the same HTTP API.
let server: LocalServer;
beforeAll(async () => {
  server = await startLocalServer(testConfig({ SSE_PAD_BYTES: "1024" }), { webDist: "/nonexistent" });
});
afterAll(() => server?.close());

describe("stream probe", () => {
  it("measures the first byte, the snapshot and each frame through the signed webhook", async () => {
    const env = { MURMUR_URL: `${server.url}/`, WEBHOOK_SECRET: "test-webhook-secret", PROBE_FRAMES: "3", PROBE_INTERVAL_MS: "0" };
    const config = loadStreamProbeConfig(env);
    expect(config).toMatchObject({ apiBase: server.url, streamBase: server.url, frames: 3 });
    const m = await measureStream(config);
    expect(m.firstByteMs).toBeGreaterThan(0);
    expect(m.snapshotMs).toBeGreaterThanOrEqual(m.firstByteMs);
    expect(m.frames).toHaveLength(3);
    for (const frame of m.frames) expect(frame.afterSendMs).toBeGreaterThanOrEqual(frame.afterStoredMs);
    // retry and the snapshot go out in one write, then the three frames: each write padded
    expect(m.bytes).toBeGreaterThanOrEqual(1024 * 4);
    expect(describeMeasurement("local", m)).toMatch(/frame after send {4}p50 \d+ ms/);
  });

  it("names what is missing", () => {
    expect(() => loadStreamProbeConfig({ MURMUR_URL: "https://d1.cloudfront.net" })).toThrow(/WEBHOOK_SECRET/);
    expect(() => loadStreamProbeConfig({ WEBHOOK_SECRET: "x" })).toThrow(/MURMUR_URL/);
  });
});
