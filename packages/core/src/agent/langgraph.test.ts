import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryEventLog } from "../event-log/memory.ts";
import type { ChatEvent } from "../events/schemas.ts";
import { createIngest } from "../ingest/ingest.ts";
import { type FakeLangGraphServer, startFakeLangGraph } from "../testing/langgraph-server.ts";
import { createLangGraphAgent, type LangGraphAgentOptions } from "./langgraph.ts";
import { completionEvent, parseLangGraphCompletion } from "./langgraph-completion.ts";
import { langGraphThreadId } from "./langgraph-ids.ts";
import { runIdsFor } from "./run-ids.ts";
import { runAgentTurn } from "./run-turn.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((close) => close()));
});

/** A bare receiver on loopback standing in for whatever serves the webhook URL (the route is tested in functions). */
async function startReceiver() {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200).end("{}"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function setup(agentOptions: Partial<LangGraphAgentOptions> = {}, fakeOptions: { apiKey?: string } = {}) {
  const fake = await startFakeLangGraph(fakeOptions);
  cleanups.push(() => fake.close());
  const receiver = await startReceiver();
  const log = createMemoryEventLog();
  await log.createThread({ id: "t_1", owner: "s_1", createdAt: 1 });
  const agent = createLangGraphAgent({
    url: fake.url,
    assistantId: "agent",
    apiKey: null,
    stream: false,
    maxRetries: 0,
    webhookUrl: async (run) => `${receiver}/api/webhook/chat-response?thread=${run.threadId}&run=${run.runId}&secret=s3cret`,
    ...agentOptions,
  });
  const ingest = createIngest(log);
  const send = async (messageId: string, text: string, signal?: AbortSignal) => {
    await log.append({ id: `msg:${messageId}`, threadId: "t_1", at: 1, type: "message.created", messageId, role: "user", text });
    return runAgentTurn({ log, ingest, agent, deltaWindowMs: 10 }, { threadId: "t_1", userMessageId: messageId, attempt: 0 }, signal);
  };
  const events = async () => {
    const read = await log.read("t_1", null, 100_000);
    return read.kind === "events" ? read.events.map((e) => e.event) : [];
  };
  return { fake, agent, send, events };
}

const ofType = <T extends ChatEvent["type"]>(events: ChatEvent[], type: T) =>
  events.filter((e): e is Extract<ChatEvent, { type: T }> => e.type === type);
const lines = (fake: FakeLangGraphServer) => fake.requests.map((r) => r.line.replace(/[0-9a-f-]{36}/g, "<id>"));

describe("LangGraph agent, against a local LangGraph runs API", () => {
  it("hands the turn off as a background run whose webhook carries the run and its reply", async () => {
    const { fake, send, events } = await setup();
    expect(await send("m_1", "hello graph")).toBe("detached");
    const { runId } = await runIdsFor("t_1", "m_1");
    const thread = await langGraphThreadId("t_1");
    expect(lines(fake)).toEqual(["POST /threads", "POST /threads/<id>/runs"]);
    expect(fake.requests[0]?.body).toMatchObject({ thread_id: thread, if_exists: "do_nothing" });
    expect(fake.requests[1]?.body).toMatchObject({
      assistant_id: "agent",
      input: { messages: [{ role: "user", content: "hello graph", id: "m_1" }] },
      metadata: { murmur_thread_id: "t_1", murmur_run_id: runId },
      multitask_strategy: "enqueue",
      webhook: expect.stringContaining(`thread=t_1&run=${runId}&secret=s3cret`),
    });
    // The runner recorded the start only: the webhook ends the reply.
    expect((await events()).map((e) => e.type)).toEqual(["message.created", "run.started"]);
    await fake.webhooksDone(1);
    const [delivery] = fake.webhooks;
    expect(delivery?.payload).toMatchObject({ thread_id: thread, status: "success", metadata: { murmur_run_id: runId } });
    const event = completionEvent({ threadId: "t_1", runId, messageId: "a_x" }, parseLangGraphCompletion(delivery?.payload));
    expect(event).toMatchObject({ type: "message.completed", id: `${runId}:completed`, text: "Hello from the graph." });
  });

  it("keeps one LangGraph thread per Murmur thread across turns", async () => {
    const { fake, send } = await setup();
    await send("m_1", "first");
    await send("m_2", "second");
    await fake.webhooksDone(2);
    const threadIds = fake.requests.filter((r) => r.line === "POST /threads").map((r) => r.body?.thread_id);
    expect(new Set(threadIds).size).toBe(1);
    const values = fake.webhooks[1]?.payload.values as { messages: { type: string; content: string }[] };
    expect(values.messages.map((m) => m.type)).toEqual(["human", "ai", "human", "ai"]);
  });

  it("relays AI tokens from the run's stream when streaming, and nothing else", async () => {
    const { fake, send, events } = await setup({ stream: true });
    fake.respond({ steps: [{ ai: "Let me " }, { tool: "search results" }, { waitMs: 150 }, { ai: "check." }, { ai: " Done." }] });
    expect(await send("m_1", "hi")).toBe("detached");
    expect(lines(fake)).toEqual([
      "POST /threads",
      "POST /threads/<id>/runs",
      "GET /threads/<id>/runs/<id>/stream?cancel_on_disconnect=0&stream_mode=messages-tuple",
    ]);
    expect(fake.requests[1]?.body).toMatchObject({ stream_mode: ["messages-tuple"], stream_resumable: true });
    const deltas = ofType(await events(), "message.delta");
    expect(deltas.map((d) => d.text).join("")).toBe("Let me check. Done.");
    expect(deltas.length).toBeGreaterThanOrEqual(2);
  });

  it("cancels the run at LangGraph when the reply is stopped, and the stop is recorded once", async () => {
    const { fake, send, events } = await setup({ stream: true });
    fake.respond({ steps: [{ ai: "a " }, { waitMs: 40 }, { ai: "b " }, { waitMs: 5_000 }, { ai: "never" }] });
    const controller = new AbortController();
    const outcome = send("m_1", "hi", controller.signal);
    // Stopped in the middle of the reply: its first words are in the log, the rest is far off.
    const sofar = async () =>
      ofType(await events(), "message.delta")
        .map((d) => d.text)
        .join("");
    await expect.poll(sofar, { timeout: 5000 }).toBe("a b ");
    controller.abort();
    expect(await outcome).toBe("failed");
    expect(lines(fake).at(-1)).toBe("POST /threads/<id>/runs/<id>/cancel?wait=0&action=interrupt");
    await fake.webhooksDone(1);
    expect(fake.webhooks[0]?.payload).toMatchObject({ status: "interrupted" });
    expect(ofType(await events(), "message.failed")).toEqual([expect.objectContaining({ kind: "stopped" })]);
  });

  it("cancels a handed-off run through the port's cancel", async () => {
    const { fake, agent, send } = await setup();
    fake.respond({ steps: [{ ai: "slow" }, { waitMs: 5_000 }] });
    await send("m_1", "hi");
    const { runId } = await runIdsFor("t_1", "m_1");
    await agent.cancel?.({ threadId: "t_1", runId: "r_someone_else" });
    expect(lines(fake).filter((l) => l.includes("cancel"))).toEqual([]);
    await agent.cancel?.({ threadId: "t_1", runId });
    expect(lines(fake).at(-1)).toBe("POST /threads/<id>/runs/<id>/cancel?wait=0&action=interrupt");
    await fake.webhooksDone(1);
    expect(fake.webhooks[0]?.payload).toMatchObject({ status: "interrupted", values: undefined });
    await expect(agent.cancel?.({ threadId: "t_unknown", runId })).resolves.toBeUndefined();
  });

  it("sends the API key as x-api-key, and fails readably when LangGraph refuses it", async () => {
    const good = await setup({ apiKey: "lg-key-123" }, { apiKey: "lg-key-123" });
    expect(await good.send("m_1", "hi")).toBe("detached");
    expect(good.fake.requests.map((r) => r.apiKey)).toEqual(["lg-key-123", "lg-key-123"]);

    const bad = await setup({ apiKey: "lg-wrong-key" }, { apiKey: "lg-key-123" });
    expect(await bad.send("m_1", "hi")).toBe("failed");
    const all = await bad.events();
    expect(ofType(all, "message.failed")[0]).toMatchObject({ reason: "LangGraph refused the API key (HTTP 403)", retryable: false });
    expect(JSON.stringify(all)).not.toContain("lg-wrong-key");
  });

  it("fails readably for an unknown assistant and an unreachable server", async () => {
    const unknown = await setup({ assistantId: "nope" });
    expect(await unknown.send("m_1", "hi")).toBe("failed");
    expect(ofType(await unknown.events(), "message.failed")[0]).toMatchObject({
      reason: 'LangGraph has no assistant "nope" (HTTP 404)',
      retryable: false,
    });

    const closed = await startFakeLangGraph();
    await closed.close();
    const unreachable = await setup({ url: closed.url });
    expect(await unreachable.send("m_1", "hi")).toBe("failed");
    expect(ofType(await unreachable.events(), "message.failed")[0]).toMatchObject({
      reason: "could not reach the LangGraph server",
      retryable: true,
    });
  });
});
