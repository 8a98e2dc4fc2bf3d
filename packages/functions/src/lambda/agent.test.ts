import { runEventIds, runIdsFor } from "@murmur/core/agent";
import { createUpstashEventLog } from "@murmur/core/event-log";
import { createIngest } from "@murmur/core/ingest";
import { errorReply, type FakeOpenAiServer, startFakeOpenAi, streamedReply } from "@murmur/core/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { callFunctionUrl } from "./testing/call.ts";
import { AGENT_FUNCTION, type CloudFixture, startCloudFixture, TEST_SECRETS } from "./testing/cloud-fixture.ts";
import { hashBody, lambdaContext } from "./testing/function-url.ts";

const MODEL_KEY = "sk-test-linked-key";
let fixture: CloudFixture;
let model: FakeOpenAiServer;
let api: unknown;
let agent: (payload: unknown, context: ReturnType<typeof lambdaContext>) => Promise<string>;
beforeAll(async () => {
  // The handler logs each outcome as a JSON line for CloudWatch; not needed here.
  vi.spyOn(console, "log").mockImplementation(() => undefined);
  vi.spyOn(console, "error").mockImplementation(() => undefined);
  model = await startFakeOpenAi({ apiKey: MODEL_KEY });
  fixture = await startCloudFixture({
    env: { AGENT: "openai", OPENAI_BASE_URL: model.url, OPENAI_MODEL: "fake-model", OPENAI_MAX_RETRIES: "0" },
    links: {
      Agent: { type: "sst.aws.Function", name: AGENT_FUNCTION },
      OpenAiApiKey: { type: "sst.sst.Secret", value: MODEL_KEY },
      LangGraphApiKey: { type: "sst.sst.Secret", value: "" },
    },
  });
  api = (await import("./api.ts")).handler;
  agent = (await import("./agent.ts")).handler;
});
afterAll(async () => {
  await fixture?.close();
  await model?.close();
});

/** A send through the Api function; returns the payload Lambda would deliver to Agent. */
async function sendAndCapture(session: { headers: Record<string, string>; threadId: string }, messageId: string) {
  const before = fixture.invokeApi.invokes.length;
  const res = await callFunctionUrl(
    api,
    "Api",
    hashBody({
      method: "POST",
      path: `/api/chats/${session.threadId}/send`,
      headers: session.headers,
      body: JSON.stringify({ messageId, text: "Hello" }),
    }),
  );
  expect(res.statusCode).toBe(202);
  expect(fixture.invokeApi.invokes).toHaveLength(before + 1);
  return fixture.invokeApi.invokes.at(-1)?.payload;
}

async function newSession() {
  const token = (await callFunctionUrl(api, "Api", hashBody({ method: "POST", path: "/api/session" }))).json.token as string;
  const headers = { "x-murmur-token": token, "content-type": "application/json" };
  const threadId = (await callFunctionUrl(api, "Api", hashBody({ method: "POST", path: "/api/chats", headers, body: "{}" }))).json.thread
    .id;
  const replies = async () =>
    (await callFunctionUrl(api, "Api", hashBody({ path: `/api/chats/${threadId}`, headers }))).json.state.messages.filter(
      (m: { role: string }) => m.role === "assistant",
    );
  return { headers, threadId: threadId as string, replies };
}

/** An Agent invocation in a function with `timeoutMs` (the production one: 5 minutes). */
const deliver = (payload: unknown, timeoutMs = 300_000) => agent(payload, lambdaContext("Agent", timeoutMs));

describe("Agent function", () => {
  it("lands one reply however often AWS delivers the invoke: twice at once, then again", async () => {
    model.respond(streamedReply(["Hello", " from", " the", " fake", " model."]));
    const session = await newSession();
    const payload = await sendAndCapture(session, "m_1");
    const requestsBefore = model.requests.length;

    const outcomes = [...(await Promise.all([deliver(payload), deliver(payload)])), await deliver(payload)];
    expect(outcomes.sort()).toEqual(["completed", "duplicate", "duplicate"]);
    expect(model.requests.length - requestsBefore).toBe(1); // the model was asked once
    expect(model.requests.at(-1)?.headers.authorization).toBe(`Bearer ${MODEL_KEY}`); // the key came through the link
    expect(await session.replies()).toMatchObject([{ status: "complete", text: "Hello from the fake model." }]);
  });

  it("carries the send's request id from Api into Agent: on the invoke, on every event of the reply, on Agent's log line", async () => {
    model.respond(streamedReply(["Traced", " reply."]));
    const session = await newSession();
    const payload = await sendAndCapture({ ...session, headers: { ...session.headers, "x-request-id": "req-across-1" } }, "m_1");
    expect(payload).toMatchObject({ trace: { requestId: "req-across-1" } });
    const info = vi.spyOn(console, "info").mockImplementation(() => undefined);
    try {
      expect(await deliver(payload)).toBe("completed");
      expect(info.mock.calls.map(([record]) => record)).toContainEqual(
        expect.objectContaining({ msg: "agent", requestId: "req-across-1" }),
      );
    } finally {
      info.mockRestore();
    }
    const log = createUpstashEventLog({ restUrl: fixture.upstash.url, restToken: TEST_SECRETS.restToken, prefix: fixture.keyPrefix });
    const read = await log.read(session.threadId, null, 1000);
    const events = read.kind === "events" ? read.events.map((e) => e.event) : [];
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["message.created", "run.started", "message.delta", "message.completed"]),
    );
    for (const event of events) expect(event.trace).toBe("req-across-1");
    await log.close();
  });

  it("does not run a failed reply again on redelivery; sending again does", async () => {
    const session = await newSession();
    model.respond(errorReply(500, "server_error"));
    const first = await sendAndCapture(session, "m_1");
    expect(await deliver(first)).toBe("failed");
    expect(await session.replies()).toMatchObject([{ status: "failed", error: { retryable: true } }]);

    const requestsBefore = model.requests.length;
    expect(await deliver(first)).toBe("duplicate");
    expect(model.requests.length).toBe(requestsBefore);

    model.respond(streamedReply(["second", " try"]));
    const retry = await sendAndCapture(session, "m_1"); // the person presses retry: the same message, sent again
    expect(retry).toMatchObject({ userMessageId: "m_1", attempt: 1 });
    expect([await deliver(retry), await deliver(retry), await deliver(first)]).toEqual(["completed", "duplicate", "duplicate"]);
    expect(model.requests.length).toBe(requestsBefore + 1);
    expect((await session.replies()).map((m: { status: string }) => m.status)).toEqual(["failed", "complete"]);
  });

  it("fails, retryably, a reply whose delivery died without a trace, when AWS delivers again", async () => {
    const session = await newSession();
    const payload = (await sendAndCapture(session, "m_1")) as { threadId: string; userMessageId: string };
    // What a delivery that ran out of memory a minute ago left behind: a reply started, never ended.
    const log = createUpstashEventLog({ restUrl: fixture.upstash.url, restToken: TEST_SECRETS.restToken, prefix: fixture.keyPrefix });
    const { runId, messageId } = await runIdsFor(payload.threadId, payload.userMessageId);
    await createIngest(log)(payload.threadId, [
      {
        id: runEventIds.started(runId),
        threadId: payload.threadId,
        at: Date.now() - 60_000,
        type: "run.started",
        runId,
        messageId,
        replyTo: "m_1",
        agent: "openai",
      },
    ]);
    await log.close();

    const requestsBefore = model.requests.length;
    // A function with a 30 s timeout: the delivery that started a minute ago is certainly gone.
    expect(await deliver(payload, 30_000)).toBe("abandoned");
    expect(model.requests.length).toBe(requestsBefore);
    expect(await session.replies()).toMatchObject([
      { status: "failed", error: { reason: "the reply was interrupted", retryable: true, kind: "abandoned" } },
    ]);
    expect(await deliver(payload, 30_000)).toBe("duplicate");
  });

  it("cuts a reply off before the function's time runs out, saying why", async () => {
    const session = await newSession();
    model.respond(streamedReply(["one", " two", " three", " four", " five", " six"], 400));
    const payload = await sendAndCapture(session, "m_1");
    // 10.6 s left: the run must end 10 s before, so after 0.6 s.
    expect(await deliver(payload, 10_600)).toBe("failed");
    expect(await model.requests.at(-1)?.outcome).toBe("closed by client");
    expect(await session.replies()).toMatchObject([
      { status: "failed", error: { reason: "the reply took too long and was cut off", retryable: true, kind: "timeout" } },
    ]);
  });

  it("drops a payload that cannot work instead of failing (Lambda would deliver it again)", async () => {
    expect(await deliver({ threadId: "t_1" })).toBe("rejected");
    expect(await deliver({ threadId: "t_missing", userMessageId: "m_1", attempt: 0 })).toBe("rejected");
  });
});
