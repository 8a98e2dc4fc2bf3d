import { signWebhook } from "@murmur/core/auth";
import { parseSse, REDIS_WITHOUT_CLIENT_UNBLOCK, type RedisProcess, startRedisProcess } from "@murmur/core/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { callFunctionUrl } from "./testing/call.ts";
import { type CloudFixture, startCloudFixture, TEST_SECRETS } from "./testing/cloud-fixture.ts";
import { functionUrlEvent, hashBody, lambdaContext } from "./testing/function-url.ts";
import { installAwsLambdaGlobals, invokeStreaming, type StreamingInvocation } from "./testing/streaming-runtime.ts";

// The Stream function against a Redis as unkind as Upstash (CLIENT UNBLOCK refused), with
// the cloud's 30 s block: each stream's first delta must come at once, from a reader that
// sends no CLIENT command at all, one invocation after another as Lambda runs them.

const STREAMS = 100;
let redis: RedisProcess;
let fixture: CloudFixture;
let handlers: { api: unknown; webhook: unknown; stream: unknown };
/** Everything the functions logged, as Lambda's JSON log format gets it. */
const logged: unknown[] = [];
/** Every session token handed out: none may reach the log. */
const tokens: string[] = [];

const sharedRedis = process.env.TEST_REDIS_URL;
beforeAll(async () => {
  redis = await startRedisProcess({ args: REDIS_WITHOUT_CLIENT_UNBLOCK });
  // The fixture's services point at the private server; the shared one's clean-up stays on it.
  process.env.TEST_REDIS_URL = redis.url;
  fixture = await startCloudFixture({ env: { REDIS_BLOCK_MS: "30000", STREAM_MAX_OPEN: "1", SSE_HEARTBEAT_MS: "15000" } });
  for (const method of ["info", "warn", "error"] as const)
    vi.spyOn(console, method).mockImplementation((record) => void logged.push(record));
  installAwsLambdaGlobals();
  handlers = {
    api: (await import("./api.ts")).handler,
    webhook: (await import("./webhook.ts")).handler,
    stream: (await import("./stream.ts")).handler,
  };
});
afterAll(async () => {
  vi.restoreAllMocks();
  await fixture?.close();
  await redis?.stop();
  if (sharedRedis === undefined) delete process.env.TEST_REDIS_URL;
  else process.env.TEST_REDIS_URL = sharedRedis;
});

const api = (spec: Parameters<typeof callFunctionUrl>[2]) => callFunctionUrl(handlers.api, "Api", hashBody(spec));

async function signIn() {
  const token = (await api({ method: "POST", path: "/api/session" })).json.token as string;
  tokens.push(token);
  const headers = { "x-murmur-token": token, "content-type": "application/json" };
  const thread = async () => (await api({ method: "POST", path: "/api/chats", headers, body: "{}" })).json.thread.id as string;
  return { token, headers, thread };
}

/** A stream as the web app opens it: the thread, the list (`threads=1`) and this browser's signals. */
function openStream(token: string, threadId: string): StreamingInvocation {
  const event = functionUrlEvent({
    path: `/api/chats/sse/${threadId}?threads=1&client=b_test`,
    headers: { "x-murmur-token": token, accept: "text/event-stream" },
  });
  return invokeStreaming(handlers.stream, event, lambdaContext("Stream", 900_000));
}
const frames = (invocation: StreamingInvocation) => parseSse(invocation.text()).filter((b) => b.event);

async function deliverDelta(threadId: string, seq: number) {
  const events = [{ id: `ext:d${seq}`, threadId, at: Date.now(), type: "message.delta", runId: "r_1", messageId: "a_1", seq, text: "hi" }];
  const body = JSON.stringify({ threadId, events });
  const headers = { "x-murmur-signature": await signWebhook(TEST_SECRETS.webhook, body), "content-type": "application/json" };
  const res = await callFunctionUrl(handlers.webhook, "Webhook", { method: "POST", path: "/api/webhook/chat-response", headers, body });
  expect(res.statusCode).toBe(200);
}

const commandStats = async () => {
  const probe = new Redis(redis.url);
  try {
    return String(await probe.info("commandstats"));
  } finally {
    probe.disconnect();
  }
};

describe("Stream function on a Redis without CLIENT UNBLOCK", () => {
  it(`delivers each new stream's first delta within 100 ms at p99 (${STREAMS} invocations in a row), sending no CLIENT command`, async () => {
    const { token, headers, thread } = await signIn();
    /** From the webhook's answer (the delta is stored) to its frame; and from the webhook's call. */
    const waits: number[] = [];
    const fromSend: number[] = [];
    for (let i = 0; i < STREAMS; i++) {
      const threadId = await thread();
      const invocation = openStream(token, threadId);
      // Open: the snapshot, the list and the stream's id are out, so its follows are joining.
      await expect
        .poll(() => frames(invocation).map((f) => f.event), { timeout: 5000, interval: 5 })
        .toEqual(expect.arrayContaining(["snapshot", "threads", "opened"]));
      const streamId = JSON.parse(frames(invocation).find((f) => f.event === "opened")?.data as string).streamId as string;
      const started = performance.now();
      await deliverDelta(threadId, 0);
      const stored = performance.now();
      await expect.poll(() => frames(invocation).some((f) => f.event === "message.delta"), { timeout: 35_000, interval: 1 }).toBe(true);
      waits.push(Math.max(0, performance.now() - stored));
      fromSend.push(performance.now() - started);
      // The browser lets it go; the invocation ends, and the next stream is the next invocation.
      await api({ method: "POST", path: `/api/chats/${threadId}/streams/${streamId}/close`, headers, body: "{}" });
      const done = await invocation.done;
      expect(parseSse(done.body).at(-1)).toMatchObject({ event: "close" });
    }
    const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.ceil(q * values.length) - 1] as number;
    const figure = (values: number[]) => `p50 ${quantile(values, 0.5).toFixed(1)} ms, p99 ${quantile(values, 0.99).toFixed(1)} ms`;
    console.log(
      `Stream, no CLIENT, 30 s block, ${STREAMS} invocations: first delta ${figure(waits)} after it was stored, ${figure(fromSend)} from the webhook's call`,
    );
    expect(quantile(waits, 0.99)).toBeLessThanOrEqual(100);
    const stats = await commandStats();
    expect(stats).not.toMatch(/cmdstat_client/);
    // A read per wake (the delta, the release, the end: 3.4 a stream measured), none ended
    // early for a late watch: announced follows all joined before the first block.
    expect(Number(/cmdstat_xread:calls=(\d+)/.exec(stats)?.[1])).toBeLessThanOrEqual(4 * STREAMS);
  }, 120_000);

  it("refuses a stream past STREAM_MAX_OPEN in-band (close `busy`, a long retry), and admits the next once a slot is free", async () => {
    const { token, headers, thread } = await signIn();
    const threadId = await thread();
    const held = openStream(token, threadId);
    await expect.poll(() => frames(held).map((f) => f.event), { timeout: 5000, interval: 5 }).toContain("opened");

    const refused = await openStream(token, await thread()).done;
    expect(refused.prelude.statusCode).toBe(200);
    const [close] = parseSse(refused.body).filter((b) => b.event === "close");
    expect(JSON.parse(close?.data as string)).toMatchObject({ reason: "busy" });
    expect(parseSse(refused.body).find((b) => b.retry !== undefined)?.retry).toBeGreaterThanOrEqual(30_000);

    const streamId = JSON.parse(frames(held).find((f) => f.event === "opened")?.data as string).streamId as string;
    await api({ method: "POST", path: `/api/chats/${threadId}/streams/${streamId}/close`, headers, body: "{}" });
    await held.done;
    const next = openStream(token, threadId);
    await expect.poll(() => frames(next).map((f) => f.event), { timeout: 5000, interval: 5 }).toContain("opened");
    const nextId = JSON.parse(frames(next).find((f) => f.event === "opened")?.data as string).streamId as string;
    await api({ method: "POST", path: `/api/chats/${threadId}/streams/${nextId}/close`, headers, body: "{}" });
    await next.done;
  });

  it("refuses a POST to Api without its body's hash, as Lambda does behind CloudFront's OAC", async () => {
    const res = await callFunctionUrl(handlers.api, "Api", { method: "POST", path: "/api/session" });
    expect(res.statusCode).toBe(403);
  });

  it("logs one JSON line per request and per stream end, and never a token or secret", () => {
    const lines = logged.map((record) => JSON.stringify(record));
    const records = logged as Record<string, unknown>[];
    expect(records.find((r) => r.msg === "request" && r.route === "/api/session")).toMatchObject({ status: 200, method: "POST" });
    expect(records.find((r) => r.msg === "request" && r.route === "/api/webhook/chat-response")).toMatchObject({ status: 200 });
    const streams = records.filter((r) => r.msg === "stream");
    expect(streams.length).toBeGreaterThanOrEqual(STREAMS);
    expect(streams[0]).toMatchObject({ route: "/api/chats/sse/:threadId", status: 200, reason: "released", resumed: false });
    expect(streams[0]?.bytes).toBeGreaterThan(0);
    expect(streams[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(records.filter((r) => r.msg === "request" && r.route === "/api/chats/sse/:threadId").map((r) => r.status)).toEqual([200]); // the busy one
    for (const line of lines) {
      for (const secret of [TEST_SECRETS.session, TEST_SECRETS.webhook, TEST_SECRETS.restToken, ...tokens, "v1="]) {
        expect(line).not.toContain(secret);
      }
    }
  });
});
