import { signWebhook } from "@murmur/core/auth";
import { parseSse } from "@murmur/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callFunctionUrl } from "./testing/call.ts";
import { type CloudFixture, startCloudFixture, TEST_SECRETS } from "./testing/cloud-fixture.ts";
import { functionUrlEvent, hashBody, lambdaContext } from "./testing/function-url.ts";
import { installAwsLambdaGlobals, invokeStreaming } from "./testing/streaming-runtime.ts";

const PAD = 2048;
let fixture: CloudFixture;
let handlers: { api: unknown; webhook: unknown; stream: unknown; streamBudget: (remainingMs: number) => number };
beforeAll(async () => {
  fixture = await startCloudFixture({ env: { SSE_HEARTBEAT_MS: "200", SSE_PAD_BYTES: String(PAD), REDIS_BLOCK_MS: "1000" } });
  installAwsLambdaGlobals();
  const stream = await import("./stream.ts");
  handlers = {
    api: (await import("./api.ts")).handler,
    webhook: (await import("./webhook.ts")).handler,
    stream: stream.handler,
    streamBudget: stream.streamBudget,
  };
});
afterAll(() => fixture?.close());

async function signIn() {
  const api = (spec: Parameters<typeof callFunctionUrl>[2]) => callFunctionUrl(handlers.api, "Api", hashBody(spec));
  const token = (await api({ method: "POST", path: "/api/session" })).json.token as string;
  const headers = { "x-murmur-token": token, "content-type": "application/json" };
  const threadId = (await api({ method: "POST", path: "/api/chats", headers, body: "{}" })).json.thread.id as string;
  return { token, threadId };
}

/** Events as an external agent posts them through the Webhook function. */
async function deliver(threadId: string, events: object[]) {
  const body = JSON.stringify({ threadId, events: events.map((e, i) => ({ threadId, at: 1_700_000_000_000 + i, ...e })) });
  const signature = await signWebhook(TEST_SECRETS.webhook, body);
  const res = await callFunctionUrl(handlers.webhook, "Webhook", {
    method: "POST",
    path: "/api/webhook/chat-response",
    headers: { "x-murmur-signature": signature, "content-type": "application/json" },
    body,
  });
  expect(res.statusCode).toBe(200);
}

const reply = [
  { id: "ext:m", type: "message.created", messageId: "m_1", role: "user", text: "Hi" },
  { id: "ext:s", type: "run.started", runId: "r_1", messageId: "a_1", replyTo: "m_1", agent: "external" },
  { id: "ext:d0", type: "message.delta", runId: "r_1", messageId: "a_1", seq: 0, text: "Hello" },
  { id: "ext:d1", type: "message.delta", runId: "r_1", messageId: "a_1", seq: 1, text: " there" },
  { id: "ext:c", type: "message.completed", runId: "r_1", messageId: "a_1", text: "Hello there" },
];

const streamEvent = (threadId: string, token: string, headers: Record<string, string> = {}) =>
  functionUrlEvent({
    path: `/api/chats/sse/${threadId}`,
    headers: { "x-murmur-token": token, accept: "text/event-stream", ...headers },
  });

describe("Stream function", () => {
  it("streams through Lambda's response stream: prelude, padded writes, heartbeats, a planned close before time runs out", async () => {
    const { token, threadId } = await signIn();
    // 2.4 s left: the stream may stay open for half of it (in production: 15 min less 1 min).
    const invocation = invokeStreaming(handlers.stream, streamEvent(threadId, token), lambdaContext("Stream", 2400));
    await expect
      .poll(() => parseSse(invocation.text()).map((b) => b.event), { timeout: 5000, interval: 10, message: "the snapshot" })
      .toContain("snapshot");
    await deliver(threadId, reply);
    const res = await invocation.done;

    expect(res.headers["lambda-runtime-function-response-mode"]).toBe("streaming");
    expect(res.headers["content-type"]).toBe("application/vnd.awslambda.http-integration-response");
    expect(res.prelude).toMatchObject({ statusCode: 200, headers: { "content-type": "text/event-stream; charset=utf-8" }, cookies: [] });
    expect(res.prelude.headers["cache-control"]).toContain("no-cache");
    expect(res.body.startsWith("retry: 1000\n\n")).toBe(true);
    // Every write is padded to the flush size, the heartbeats too.
    expect(res.writes.length).toBeGreaterThan(3);
    for (const write of res.writes) expect(write.bytes.length).toBeGreaterThanOrEqual(PAD);
    const blocks = parseSse(res.body);
    expect(blocks.filter((b) => b.comment === "ping").length).toBeGreaterThanOrEqual(2);

    const frames = blocks.filter((b) => b.event && b.event !== "snapshot" && b.event !== "close");
    expect(frames.map((f) => JSON.parse(f.data as string).id)).toEqual(reply.map((e) => e.id));
    const ids = frames.map((f) => f.id as string);
    expect(new Set(ids).size).toBe(ids.length);

    // The planned close: the last block, with retry: (in one write), written once half the time was used, well before the end.
    const [retry, close] = blocks.filter((b) => b.comment === undefined).slice(-2);
    expect([retry, close]).toMatchObject([{ retry: 1000 }, { event: "close" }]);
    expect(new TextDecoder().decode(res.writes.at(-1)?.bytes)).toMatch(/^retry: 1000\nevent: close\n/);
    expect(JSON.parse(close?.data as string)).toEqual({ reason: "planned" });
    expect(res.endedAtMs).toBeGreaterThan(1100);
    expect(res.endedAtMs).toBeLessThan(2200);

    // The browser comes back with the last id it got: only what it missed, no snapshot, nothing twice.
    await deliver(threadId, [{ id: "ext:m2", type: "message.created", messageId: "m_2", role: "user", text: "again" }]);
    const resumed = await invokeStreaming(
      handlers.stream,
      streamEvent(threadId, token, { "last-event-id": ids.at(-1) as string }),
      lambdaContext("Stream", 800),
    ).done;
    const again = parseSse(resumed.body).filter((b) => b.event);
    expect(again.map((b) => b.event)).toEqual(["message.created", "close"]);
    expect(JSON.parse(again[0]?.data as string).id).toBe("ext:m2");
  });

  it("answers final refusals with their status in the prelude", async () => {
    const { token, threadId } = await signIn();
    const bad = await invokeStreaming(
      handlers.stream,
      streamEvent(threadId, token, { "last-event-id": "12345" }),
      lambdaContext("Stream", 5000),
    ).done;
    expect(bad.prelude.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error.message).toContain("malformed cursor");
    const anonymous = await invokeStreaming(
      handlers.stream,
      functionUrlEvent({ path: `/api/chats/sse/${threadId}` }),
      lambdaContext("Stream", 5000),
    ).done;
    expect(anonymous.prelude.statusCode).toBe(401);
  });

  it("plans the close a minute before the end, or halfway for short timeouts", () => {
    expect(handlers.streamBudget(900_000)).toBe(840_000);
    expect(handlers.streamBudget(20_000)).toBe(10_000);
  });
});
