import { afterEach, describe, expect, it } from "vitest";
import { createMemoryEventLog } from "../event-log/memory.ts";
import type { ChatEvent } from "../events/schemas.ts";
import { createIngest } from "../ingest/ingest.ts";
import { errorReply, type FakeOpenAiServer, startFakeOpenAi, streamedReply } from "../testing/openai-server.ts";
import { createOpenAiAgent, type OpenAiAgentOptions } from "./openai.ts";
import { runAgentTurn } from "./run-turn.ts";

const servers: FakeOpenAiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(agentOptions: Partial<OpenAiAgentOptions> = {}, serverOptions: { apiKey?: string } = { apiKey: "sk-test-key" }) {
  const server = await startFakeOpenAi(serverOptions);
  servers.push(server);
  const log = createMemoryEventLog();
  await log.createThread({ id: "t_1", owner: "s_1", createdAt: 1 });
  const history = [
    ["m_0", "an old question that is long enough to fall outside a small budget"],
    ["m_1", "a recent question"],
  ];
  for (const [id, text] of history) {
    await log.append({
      id: `msg:${id}`,
      threadId: "t_1",
      at: 1,
      type: "message.created",
      messageId: id as string,
      role: "user",
      text: text as string,
    });
  }
  await log.append({ id: "msg:m_2", threadId: "t_1", at: 2, type: "message.created", messageId: "m_2", role: "user", text: "hello model" });
  const agent = createOpenAiAgent({
    baseUrl: server.url,
    apiKey: "sk-test-key",
    model: "fake-model",
    historyChars: 10_000,
    timeoutMs: 2_000,
    maxRetries: 0,
    ...agentOptions,
  });
  const run = (signal?: AbortSignal) =>
    runAgentTurn(
      { log, ingest: createIngest(log), agent, deltaWindowMs: 20 },
      { threadId: "t_1", userMessageId: "m_2", attempt: 0 },
      signal,
    );
  const events = async () => {
    const read = await log.read("t_1", null, 100_000);
    return read.kind === "events" ? read.events.map((e) => e.event) : [];
  };
  return { server, run, events };
}

const ofType = <T extends ChatEvent["type"]>(events: ChatEvent[], type: T) =>
  events.filter((e): e is Extract<ChatEvent, { type: T }> => e.type === type);

describe("OpenAI-compatible agent, against a local Chat Completions server", () => {
  it("streams a normal reply into deltas and completes with the whole text", async () => {
    const { server, run, events } = await setup();
    server.respond(streamedReply(["Hello", ", ", "world", "!"]));
    expect(await run()).toBe("completed");
    const all = await events();
    expect(ofType(all, "run.started")[0]?.agent).toBe("fake-model");
    expect(
      ofType(all, "message.delta")
        .map((d) => d.text)
        .join(""),
    ).toBe("Hello, world!");
    expect(ofType(all, "message.completed")[0]?.text).toBe("Hello, world!");
    const [request] = server.requests;
    expect(request?.headers.authorization).toBe("Bearer sk-test-key");
    expect(request?.body).toMatchObject({ model: "fake-model", stream: true });
    expect(request?.body.messages.at(-1)).toEqual({ role: "user", content: "hello model" });
    expect(await request?.outcome).toBe("finished");
  });

  it("sends only the recent history that fits the character budget", async () => {
    const { server, run } = await setup({ historyChars: 20 });
    await run();
    expect(server.requests[0]?.body.messages).toEqual([
      { role: "user", content: "a recent question" },
      { role: "user", content: "hello model" },
    ]);
  });

  it("batches a reply split into many tiny chunks, losing none", async () => {
    const { server, run, events } = await setup();
    const text = "streaming one character at a time! ".repeat(12);
    server.respond(streamedReply([...text]));
    expect(await run()).toBe("completed");
    const deltas = ofType(await events(), "message.delta");
    expect(deltas.map((d) => d.text).join("")).toBe(text);
    expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i));
    expect(deltas.length).toBeLessThan(text.length / 4);
  });

  it("relays a slow stream as it arrives, not at the end", async () => {
    const { server, run, events } = await setup();
    server.respond(streamedReply(["one ", "two ", "three ", "four ", "five"], 60));
    expect(await run()).toBe("completed");
    const all = await events();
    const deltas = ofType(all, "message.delta");
    const completedAt = ofType(all, "message.completed")[0]?.at ?? 0;
    expect(deltas.length).toBeGreaterThanOrEqual(4);
    expect(completedAt - (deltas[0]?.at ?? completedAt)).toBeGreaterThanOrEqual(200);
  });

  it("ends on finish_reason without waiting for the stream to close", async () => {
    const { server, run, events } = await setup();
    server.respond({ kind: "stream", steps: [{ content: "done early" }, { finish: "stop" }, { waitMs: 5_000 }, "done"] });
    const started = Date.now();
    expect(await run()).toBe("completed");
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(ofType(await events(), "message.completed")[0]?.text).toBe("done early");
    expect(await server.requests[0]?.outcome).toBe("closed by client");
  });

  it.each([
    ["a malformed chunk", [{ content: "Hel" }, { raw: "data: {not json\n\n" }, { content: "lo" }], "could not be read"],
    [
      "an error in the middle of the stream",
      [{ content: "Hel" }, { error: { message: "overloaded", type: "server_error" } }],
      "error in the middle",
    ],
    ["a dropped connection", [{ content: "Hel" }, { waitMs: 30 }, "drop"], "connection to the model broke"],
    ["a stream that ends without finish_reason", [{ content: "Hel" }, "done"], "cut off before it finished"],
  ] as const)("fails a reply on %s, keeping what streamed before", async (_, steps, reason) => {
    const { server, run, events } = await setup();
    server.respond({ kind: "stream", steps });
    expect(await run()).toBe("failed");
    const all = await events();
    expect(
      ofType(all, "message.delta")
        .map((d) => d.text)
        .join(""),
    ).toBe("Hel");
    expect(ofType(all, "message.failed")).toEqual([expect.objectContaining({ reason: expect.stringContaining(reason), retryable: true })]);
    expect(ofType(all, "message.completed")).toEqual([]);
  });

  it("times out a stream that stalls, and closes the request", async () => {
    const { server, run, events } = await setup({ timeoutMs: 300 });
    server.respond({ kind: "stream", steps: [{ content: "Hel" }, { waitMs: 3_000 }, { content: "lo" }, { finish: "stop" }, "done"] });
    const started = Date.now();
    expect(await run()).toBe("failed");
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(ofType(await events(), "message.failed")[0]).toMatchObject({ reason: "the model did not answer within 0.3 s", retryable: true });
    expect(await server.requests[0]?.outcome).toBe("closed by client");
  });

  it.each([
    [errorReply(429, "rate_limit_exceeded"), "the model is busy or rate-limited (HTTP 429); try again in a moment", true],
    [errorReply(429, "insufficient_quota"), "the model account has run out of quota (HTTP 429)", false],
    [errorReply(503, "overloaded"), "the model server failed (HTTP 503); try again", true],
    [errorReply(404, "model_not_found"), 'the model "fake-model" was not found (HTTP 404)', false],
    [errorReply(400, "context_length_exceeded"), "the conversation is too long for the model", false],
  ])("maps an HTTP error to a readable reason: %#", async (response, reason, retryable) => {
    const { server, run, events } = await setup();
    server.respond(response);
    expect(await run()).toBe("failed");
    expect(ofType(await events(), "message.failed")).toEqual([expect.objectContaining({ reason, retryable })]);
  });

  it("retries a 429 when retries are allowed, honouring retry-after-ms", async () => {
    const { server, run, events } = await setup({ maxRetries: 1 });
    server.respond(errorReply(429, "rate_limit_exceeded", { "retry-after-ms": "20" }), streamedReply(["second ", "try"]));
    expect(await run()).toBe("completed");
    expect(server.requests).toHaveLength(2);
    expect(ofType(await events(), "message.completed")[0]?.text).toBe("second try");
  });

  it("refuses a wrong API key without echoing it anywhere", async () => {
    const { run, events } = await setup({ apiKey: "sk-wrong-key-0123456789" });
    expect(await run()).toBe("failed");
    const all = await events();
    expect(ofType(all, "message.failed")[0]).toMatchObject({ reason: "the model server refused the API key (HTTP 401)", retryable: false });
    expect(JSON.stringify(all)).not.toContain("sk-wrong");
  });

  it("sends no Authorization header to a server that needs no key", async () => {
    const { server, run } = await setup({ apiKey: null }, {});
    expect(await run()).toBe("completed");
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("fails a reply stopped by the content filter, without retry", async () => {
    const { server, run, events } = await setup();
    server.respond({ kind: "stream", steps: [{ content: "Hel" }, { finish: "content_filter" }, "done"] });
    expect(await run()).toBe("failed");
    expect(ofType(await events(), "message.failed")[0]).toMatchObject({
      reason: "the model's content filter stopped the reply",
      retryable: false,
    });
  });

  it("stops a reply that outgrows 64 KB and closes the request", async () => {
    const { server, run, events } = await setup();
    server.respond(streamedReply(Array.from({ length: 80 }, () => "x".repeat(1024))));
    expect(await run()).toBe("failed");
    expect(ofType(await events(), "message.failed")[0]).toMatchObject({
      reason: "the reply grew past 64 KB and was cut off",
      retryable: false,
    });
  });

  it("aborts the HTTP request when the reply is stopped, and records the stop once", async () => {
    const { server, run, events } = await setup();
    server.respond(streamedReply(["a ", "b ", "c ", "d ", "e ", "f ", "g "], 50));
    const controller = new AbortController();
    const outcome = run(controller.signal);
    // Stopped in the middle of the reply: its first words are in the log.
    await expect.poll(async () => ofType(await events(), "message.delta").length, { timeout: 5000 }).toBeGreaterThan(0);
    controller.abort();
    expect(await outcome).toBe("failed");
    expect(await server.requests[0]?.outcome).toBe("closed by client");
    const all = await events();
    expect(ofType(all, "message.failed")).toEqual([expect.objectContaining({ kind: "stopped", retryable: true })]);
    expect(ofType(all, "message.delta").length).toBeGreaterThan(0);
  });

  it("stops at once during a retry's back-off", async () => {
    const { server, run, events } = await setup({ maxRetries: 2 });
    server.respond(errorReply(429, "rate_limit_exceeded", { "retry-after": "30" }));
    const controller = new AbortController();
    const outcome = run(controller.signal);
    await expect.poll(() => server.requests.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(await server.requests[0]?.outcome).toBe("finished"); // the 429 is out: the agent backs off
    const stopped = Date.now();
    controller.abort();
    expect(await outcome).toBe("failed");
    expect(Date.now() - stopped).toBeLessThan(500);
    expect(ofType(await events(), "message.failed")[0]?.kind).toBe("stopped");
  });
});
