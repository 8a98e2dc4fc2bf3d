import { describe, expect, it } from "vitest";
import { createApp } from "../app.ts";
import { createLocalDeps } from "../local/deps.ts";
import { testConfig } from "../testing/config.ts";

const sessionOf = async (env: Record<string, string>) => {
  const deps = createLocalDeps(testConfig(env));
  const app = createApp(deps);
  const res = await app.request("/api/session", { method: "POST" });
  expect(res.status).toBe(200);
  await deps.log.close();
  return res.json();
};

describe("POST /api/session", () => {
  it("tells the browser how to hold streams, the reply lease its watchdog waits for, and that memory mode keeps nothing across a restart", async () => {
    const body = await sessionOf({ STREAM_POLICY: "on-demand", STREAM_LINGER_MS: "2000", IDLE_CHECK_MS: "9000", RUN_LEASE_MS: "7000" });
    expect(body).toMatchObject({
      persistent: false,
      stream: { policy: "on-demand", lingerMs: 2000, idleCheckMs: 9000, runLeaseMs: 7000 },
    });
    expect(Object.keys(body).sort()).toEqual(["expiresAt", "persistent", "sessionId", "stream", "token"]);
  });

  it("says persistent with an event log outside the process (Redis)", async () => {
    const deps = createLocalDeps(testConfig());
    // Only the configuration is read: a Redis URL nobody answers on is enough to say "persistent".
    const app = createApp({ ...deps, config: testConfig({ REDIS_URL: "redis://127.0.0.1:9" }) });
    const body = await (await app.request("/api/session", { method: "POST" })).json();
    expect(body.persistent).toBe(true);
    expect(body.stream.runLeaseMs).toBe(20_000);
    await deps.log.close();
  });
});
