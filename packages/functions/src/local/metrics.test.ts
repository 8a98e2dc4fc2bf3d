import { signWebhook } from "@murmur/core/auth";
import type { ChatEvent } from "@murmur/core/chat";
import { METRICS } from "@murmur/core/metrics";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../log.ts";
import { testConfig } from "../testing/config.ts";
import { histogramBuckets, histogramQuantile, parseExposition, sampleValue } from "../testing/prometheus.ts";
import { receivedCompletions, subscribeThread } from "../testing/sse.ts";
import { type LocalServer, type LocalServerOptions, startLocalServer } from "./start.ts";

// A scripted chat through the real local server, then its metrics as a scraper sees them:
// every count is what the clients saw, exactly.

const WAIT = { timeout: 10_000 } as const;
const TOKEN = "metrics-token-0123456789";
const WEBHOOK_SECRET = "test-webhook-secret";

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(observability: LocalServerOptions["observability"]) {
  server = await startLocalServer(testConfig({ DEMO_PACE_MS: "2" }), { webDist: "/nonexistent", logger: silentLogger, observability });
  const url = server.url;
  const token = (await (await fetch(`${url}/api/session`, { method: "POST" })).json()).token as string;
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const threadId = (await (await fetch(`${url}/api/chats`, { method: "POST", headers, body: "{}" })).json()).thread.id as string;
  const send = (messageId: string, text: string, extra: Record<string, string> = {}) =>
    fetch(`${url}/api/chats/${threadId}/send`, {
      method: "POST",
      headers: { ...headers, ...extra },
      body: JSON.stringify({ messageId, text }),
    });
  const webhook = async (body: string, signature?: string) =>
    (
      await fetch(`${url}/api/webhook/chat-response`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Murmur-Signature": signature ?? (await signWebhook(WEBHOOK_SECRET, body)) },
        body,
      })
    ).status;
  return { url, token, threadId, send, webhook };
}

const chatEvents = (received: readonly { event?: ChatEvent }[]) => received.flatMap((r) => (r.event ? [r.event] : []));

describe("metrics of a running local server", () => {
  it("counts a scripted chat exactly: deltas appended as the client saw them, one resume per forced reconnect, webhooks by outcome", async () => {
    const { url, token, threadId, send, webhook } = await start({ metricsPort: 0, metricsToken: TOKEN });
    const first = subscribeThread(`${url}/api/chats/sse/${threadId}`, token);
    await expect.poll(() => first.received.map((r) => r.type), WAIT).toContain("snapshot");

    const sent = await send("m_1", "Hello metrics", { "x-request-id": "req-metrics-1" });
    expect(sent.status).toBe(202);
    expect(sent.headers.get("x-request-id")).toBe("req-metrics-1");
    await expect.poll(() => receivedCompletions(first.received), WAIT).toHaveLength(1);

    // A forced reconnect: the client goes, and comes back with the last id it got.
    const lastId = first.received.at(-1)?.id as string;
    first.source.close();
    await expect.poll(() => server?.deps.streams.current, WAIT).toBe(0);
    const second = subscribeThread(`${url}/api/chats/sse/${threadId}`, token, lastId);
    await expect.poll(() => server?.deps.streams.current, WAIT).toBe(1);
    await send("m_2", "Hello again");
    await expect.poll(() => receivedCompletions(second.received), WAIT).toHaveLength(1);

    // An external agent: accepted, then the same delivery again, a forged one, a malformed one.
    const body = JSON.stringify({
      threadId,
      events: [{ id: "ext:1", threadId, at: 1, type: "message.created", messageId: "m_ext", role: "user", text: "from outside" }],
    });
    expect(await webhook(body)).toBe(200);
    expect(await webhook(body)).toBe(200);
    expect(await webhook(body, await signWebhook("another-webhook-secret", body))).toBe(401);
    const malformed = JSON.stringify({ threadId, events: [{ type: "message.created" }] });
    expect(await webhook(malformed)).toBe(400);
    await expect.poll(() => chatEvents(second.received).some((e) => e.id === "ext:1"), WAIT).toBe(true);

    const seen = [...chatEvents(first.received), ...chatEvents(second.received)];
    const deltas = seen.filter((e) => e.type === "message.delta");
    expect(deltas.length).toBeGreaterThan(4);

    const scrape = await fetch(server?.metricsUrl as string);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get("content-type")).toContain("text/plain");
    const text = await scrape.text();
    const samples = parseExposition(text);
    const value = (name: string, labels?: Record<string, string>) => sampleValue(samples, name, labels);

    for (const def of METRICS) expect(text).toContain(`# TYPE ${def.name} ${def.kind}`);
    expect(value("murmur_events_appended_total", { type: "message.delta" })).toBe(deltas.length);
    expect(value("murmur_events_appended_total", { type: "message.created" })).toBe(3);
    expect(value("murmur_events_appended_total", { type: "message.completed" })).toBe(2);
    expect(value("murmur_stream_resumes_total")).toBe(1);
    expect(value("murmur_streams_opened_total", { mode: "thread" })).toBe(2);
    expect(value("murmur_streams_open", { mode: "thread" })).toBe(1);
    expect(value("murmur_streams_closed_total", { reason: "client_gone" })).toBe(1);
    expect(value("murmur_frames_delivered_total")).toBe(seen.length);
    // Every append was one event, so one timed write per frame.
    expect(value("murmur_delivery_latency_seconds_count")).toBe(seen.length);
    const p99 = histogramQuantile(0.99, histogramBuckets(samples, "murmur_delivery_latency_seconds"));
    expect(p99).toBeGreaterThan(0);
    expect(p99).toBeLessThan(1);
    expect(value("murmur_webhook_requests_total", { outcome: "accepted" })).toBe(1);
    expect(value("murmur_webhook_requests_total", { outcome: "duplicate" })).toBe(1);
    expect(value("murmur_webhook_requests_total", { outcome: "bad_signature" })).toBe(1);
    expect(value("murmur_webhook_requests_total", { outcome: "bad_body" })).toBe(1);
    expect(value("murmur_agent_runs_total", { outcome: "completed" })).toBe(2);
    expect(value("murmur_agent_first_delta_seconds_count")).toBe(2);
    expect(value("murmur_stream_resets_total")).toBe(0);
    // prom-client's process metrics beside ours.
    expect(value("process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(samples.some((s) => s.name === "nodejs_eventloop_lag_seconds")).toBe(true);

    // The reply carries the send's request id on every one of its events.
    const reply = chatEvents(first.received).filter((e) => e.type !== "message.created");
    expect(reply.length).toBeGreaterThan(3);
    expect(new Set(chatEvents(first.received).map((e) => e.trace))).toEqual(new Set(["req-metrics-1"]));

    // The same on the app's own port, with the token only; the listener serves nothing else.
    expect((await fetch(`${url}/api/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/api/metrics`, { headers: { Authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
    const viaApp = await fetch(`${url}/api/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(viaApp.status).toBe(200);
    expect(sampleValue(parseExposition(await viaApp.text()), "murmur_stream_resumes_total")).toBe(1);
    expect((await fetch(new URL("/", server?.metricsUrl as string))).status).toBe(404);
    expect(new URL(server?.metricsUrl as string).hostname).toBe("127.0.0.1");
    second.source.close();
  });

  it("serves no metrics unless asked: no listener, and /api/metrics is 404", async () => {
    const { url } = await start(undefined);
    expect(server?.metricsUrl).toBeNull();
    expect((await fetch(`${url}/api/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it("makes a request id when none comes in, and takes a traceparent's trace id", async () => {
    const { url } = await start(undefined);
    const made = await fetch(`${url}/api/health`);
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f]{32}$/);
    const traced = await fetch(`${url}/api/health`, {
      headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "x-request-id": "bad id with spaces" },
    });
    expect(traced.headers.get("x-request-id")).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });
});
