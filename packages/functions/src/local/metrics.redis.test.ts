import { testRedisUrl, uniquePrefix } from "@murmur/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../log.ts";
import { testConfig } from "../testing/config.ts";
import { parseExposition, sampleValue } from "../testing/prometheus.ts";
import { receivedCompletions, subscribeThread } from "../testing/sse.ts";
import { type LocalServer, startLocalServer } from "./start.ts";

// The Redis engine's commands as the metrics count them, against the test Redis: one
// append script per append, the shared reader's XREADs, no errors.

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("Redis command metrics", () => {
  it("count one append script per append, the blocking reads, and no errors or unreachable seconds", async () => {
    const config = testConfig({ DEMO_PACE_MS: "2", REDIS_URL: testRedisUrl(), MURMUR_KEY_PREFIX: uniquePrefix() });
    server = await startLocalServer(config, { webDist: "/nonexistent", logger: silentLogger, observability: { metricsPort: 0 } });
    const { url } = server;
    const token = (await (await fetch(`${url}/api/session`, { method: "POST" })).json()).token as string;
    const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const threadId = (await (await fetch(`${url}/api/chats`, { method: "POST", headers, body: "{}" })).json()).thread.id as string;
    const sub = subscribeThread(`${url}/api/chats/sse/${threadId}`, token);
    await expect.poll(() => sub.received.map((r) => r.type), { timeout: 10_000 }).toContain("snapshot");
    await fetch(`${url}/api/chats/${threadId}/send`, {
      method: "POST",
      headers,
      body: JSON.stringify({ messageId: "m_1", text: "Hi Redis" }),
    });
    await expect.poll(() => receivedCompletions(sub.received), { timeout: 10_000 }).toHaveLength(1);
    await server.deps.invoker.idle();
    sub.source.close();

    const samples = parseExposition(await (await fetch(server.metricsUrl as string)).text());
    const value = (name: string, labels?: Record<string, string>) => sampleValue(samples, name, labels);
    const appended = value("murmur_events_appended_total");
    // Every event of this chat was one append (the demo appends each delta batch alone).
    expect(appended).toBe(sub.received.filter((r) => r.event).length);
    expect(value("murmur_redis_commands_total", { command: "script:append" })).toBe(appended);
    expect(value("murmur_redis_commands_total", { command: "script:create_thread" })).toBe(1);
    expect(value("murmur_redis_commands_total", { command: "xread" })).toBeGreaterThan(0);
    expect(value("murmur_redis_errors_total")).toBe(0);
    expect(value("murmur_event_log_unavailable_seconds_total")).toBe(0);
  });
});
