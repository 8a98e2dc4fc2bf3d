import { signWebhook } from "@murmur/core/auth";
import { METRICS, type MetricDef } from "@murmur/core/metrics";
import { parseSse } from "@murmur/core/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EMF_NAMESPACE } from "./emf.ts";
import { callFunctionUrl } from "./testing/call.ts";
import { type CloudFixture, startCloudFixture, TEST_SECRETS } from "./testing/cloud-fixture.ts";
import { functionUrlEvent, hashBody, lambdaContext } from "./testing/function-url.ts";
import { installAwsLambdaGlobals, invokeStreaming } from "./testing/streaming-runtime.ts";

// The functions' metrics as CloudWatch would extract them: the EMF lines one invocation
// writes to stdout, each checked against the one set of definitions.

let fixture: CloudFixture;
let handlers: { api: unknown; webhook: unknown; stream: unknown };
const lines: string[] = [];
beforeAll(async () => {
  fixture = await startCloudFixture({ env: { SSE_HEARTBEAT_MS: "200", REDIS_BLOCK_MS: "1000" } });
  installAwsLambdaGlobals();
  handlers = {
    api: (await import("./api.ts")).handler,
    webhook: (await import("./webhook.ts")).handler,
    stream: (await import("./stream.ts")).handler,
  };
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
    if (text.startsWith('{"_aws"')) lines.push(...text.trimEnd().split("\n"));
    else return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    return true;
  }) as typeof process.stdout.write);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await fixture?.close();
});

const EMF_UNITS = { count: "Count", seconds: "Seconds", bytes: "Bytes" } as const;

interface Emf {
  readonly def: MetricDef;
  readonly labels: Record<string, string>;
  readonly value: number | number[];
  readonly doc: Record<string, unknown>;
}

/** The EMF lines written since `from`, each validated against its definition. */
function emfSince(from: number): Emf[] {
  return lines.slice(from).map((line) => {
    const doc = JSON.parse(line) as Record<string, unknown> & { _aws: { Timestamp: number; CloudWatchMetrics: unknown[] } };
    expect(doc._aws.Timestamp).toBeGreaterThan(Date.now() - 60_000);
    expect(doc._aws.CloudWatchMetrics).toHaveLength(1);
    const [directive] = doc._aws.CloudWatchMetrics as {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
    expect(directive?.Namespace).toBe(EMF_NAMESPACE);
    const [metric] = directive?.Metrics ?? [];
    const def = METRICS.find((m) => m.name === metric?.Name) as MetricDef;
    expect(def, `${metric?.Name} is a defined metric`).toBeDefined();
    expect(metric?.Unit).toBe(EMF_UNITS[def.unit]);
    expect(directive?.Dimensions).toEqual([["stage", "function", ...def.labels]]);
    for (const dimension of ["stage", "function", ...def.labels]) expect(typeof doc[dimension]).toBe("string");
    expect(doc.stage).toBe("test");
    const value = doc[def.name] as number | number[];
    if (def.kind === "histogram") {
      expect(Array.isArray(value) && value.length > 0 && value.length <= 100).toBe(true);
      for (const v of value as number[]) expect(v).toBeGreaterThanOrEqual(0);
    } else expect(typeof value).toBe("number");
    const labels = Object.fromEntries(def.labels.map((l) => [l, doc[l] as string]));
    return { def, labels, value, doc };
  });
}

const total = (emf: Emf[], name: string, fn: string, labels: Record<string, string> = {}) =>
  emf
    .filter((e) => e.def.name === name && e.doc.function === fn && Object.entries(labels).every(([k, v]) => e.labels[k] === v))
    .reduce((sum, e) => sum + (Array.isArray(e.value) ? e.value.length : e.value), 0);

/** A session and a thread through the Api function, as the router hands requests to it (OAC: a body hash on POSTs, the token in X-Murmur-Token). */
async function signIn() {
  const api = (spec: Parameters<typeof callFunctionUrl>[2]) => callFunctionUrl(handlers.api, "Api", hashBody(spec));
  const token = (await api({ method: "POST", path: "/api/session" })).json.token as string;
  const headers = { "x-murmur-token": token, "content-type": "application/json" };
  const threadId = (await api({ method: "POST", path: "/api/chats", headers, body: "{}" })).json.thread.id as string;
  return { token, threadId };
}

async function deliver(threadId: string, id: string) {
  const body = JSON.stringify({
    threadId,
    events: [{ id, threadId, at: 1, type: "message.created", messageId: `m_${id}`, role: "user", text: "hi" }],
  });
  return callFunctionUrl(handlers.webhook, "Webhook", {
    method: "POST",
    path: "/api/webhook/chat-response",
    headers: { "x-murmur-signature": await signWebhook(TEST_SECRETS.webhook, body), "content-type": "application/json" },
    body,
  });
}

describe("EMF from the Lambda functions", () => {
  it("one Webhook invocation writes its metrics when it ends: the webhook's outcome, the event appended, its Redis commands", async () => {
    const { threadId } = await signIn();
    const from = lines.length;
    const res = await deliver(threadId, "ext_1");
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
    const emf = emfSince(from);
    expect(emf.length).toBeGreaterThan(0);
    expect(new Set(emf.map((e) => e.doc.function))).toEqual(new Set(["Webhook"]));
    expect(total(emf, "murmur_webhook_requests_total", "Webhook", { outcome: "accepted" })).toBe(1);
    expect(total(emf, "murmur_events_appended_total", "Webhook", { type: "message.created" })).toBe(1);
    expect(total(emf, "murmur_redis_commands_total", "Webhook", { command: "script:append" })).toBe(1);
    expect(total(emf, "murmur_redis_errors_total", "Webhook")).toBe(0);
    // Counts are per flush: the next invocation's lines hold only its own.
    const next = lines.length;
    await deliver(threadId, "ext_1");
    const again = emfSince(next);
    expect(total(again, "murmur_webhook_requests_total", "Webhook", { outcome: "duplicate" })).toBe(1);
    expect(total(again, "murmur_webhook_requests_total", "Webhook", { outcome: "accepted" })).toBe(0);
  });

  it("a Stream invocation flushes at its planned close: opened, closed as planned, the live frame and its latency", async () => {
    const { token, threadId } = await signIn();
    const from = lines.length;
    const event = functionUrlEvent({
      path: `/api/chats/sse/${threadId}`,
      headers: { "x-murmur-token": token, accept: "text/event-stream", "x-request-id": "req-stream-1" },
    });
    const invocation = invokeStreaming(handlers.stream, event, lambdaContext("Stream", 2000));
    await expect.poll(() => parseSse(invocation.text()).map((b) => b.event), { timeout: 5000, interval: 10 }).toContain("snapshot");
    await deliver(threadId, "ext_live");
    const res = await invocation.done;
    expect(res.prelude.headers["x-request-id"]).toBe("req-stream-1");
    expect(parseSse(res.body).filter((b) => b.event === "close")).toHaveLength(1);
    const emf = emfSince(from).filter((e) => e.doc.function === "Stream");
    expect(total(emf, "murmur_streams_opened_total", "Stream", { mode: "thread" })).toBe(1);
    expect(total(emf, "murmur_streams_closed_total", "Stream", { reason: "planned" })).toBe(1);
    expect(total(emf, "murmur_frames_delivered_total", "Stream")).toBe(1);
    expect(total(emf, "murmur_delivery_latency_seconds", "Stream")).toBe(1);
    const gauge = emf.filter((e) => e.def.name === "murmur_streams_open" && e.labels.mode === "thread");
    expect(gauge.at(-1)?.value).toBe(0);
    expect(total(emf, "murmur_redis_commands_total", "Stream", { command: "xread" })).toBeGreaterThan(0);
  });
});
