import { runAgentTurn } from "@murmur/core/agent";
import type { ChatEvent, ChatMessage } from "@murmur/core/chat";
import { errorReply, startFakeLangGraph, startFakeOpenAi, streamedReply } from "@murmur/core/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createAgent } from "../agents.ts";
import { testConfig } from "../testing/config.ts";
import { receivedTypes, subscribeThread } from "../testing/sse.ts";
import { startLocalServer } from "./start.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((close) => close()));
});

/** The real local server on loopback, a session and a thread. */
async function start(env: Record<string, string>) {
  const config = testConfig(env);
  const server = await startLocalServer(config, { webDist: "/nonexistent" });
  cleanups.push(() => server.close());
  const api = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${server.url}/api${path}`, {
      ...init,
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}`, ...init.headers },
    });
    return { status: res.status, body: await res.json() };
  };
  let token = "";
  token = (await api("/session", { method: "POST" })).body.token;
  const threadId = (await api("/chats", { method: "POST", body: "{}" })).body.thread.id as string;
  const send = (messageId: string, text: string) =>
    api(`/chats/${threadId}/send`, { method: "POST", body: JSON.stringify({ messageId, text }) });
  /** The reply to `messageId` once it has ended (a condition, polled). */
  const ended = (messageId: string): Promise<ChatMessage> =>
    vi.waitFor(
      async () => {
        const { body } = await api(`/chats/${threadId}`);
        const reply = (body.state.messages as ChatMessage[]).find((m) => m.replyTo === messageId);
        if (!reply || reply.status === "streaming") throw new Error(`reply to ${messageId} still ${reply?.status ?? "missing"}`);
        return reply;
      },
      { timeout: 10_000, interval: 20 },
    );
  const logged = async () => {
    const read = await server.deps.log.read(threadId, null, 100_000);
    return read.kind === "events" ? read.events.map((e) => e.event) : [];
  };
  return { config, server, token, threadId, send, ended, logged, api };
}

/** How long a subscriber waits for what it expects. */
const WAIT = { timeout: 10_000 } as const;

/** Every chat event the SSE stream delivers (see subscribeThread). */
function subscribe(url: string, token: string) {
  const { source, received } = subscribeThread(url, token);
  cleanups.push(async () => source.close());
  const events = () => received.flatMap((r) => (r.event ? [r.event] : []));
  return {
    events,
    /** Waits for the reply's completion on the stream. */
    completed: () => expect.poll(() => events().map((e) => e.type), WAIT).toContain("message.completed"),
    ready: () => expect.poll(() => receivedTypes(received), WAIT).toContain("snapshot"),
  };
}

const texts = (events: ChatEvent[]) => events.flatMap((e) => (e.type === "message.delta" ? [e.text] : []));

describe("AGENT=openai through the local server", () => {
  async function setup(env: Record<string, string> = {}) {
    const model = await startFakeOpenAi({ apiKey: "sk-test-key" });
    cleanups.push(() => model.close());
    const env_ = {
      AGENT: "openai",
      OPENAI_BASE_URL: model.url,
      OPENAI_API_KEY: "sk-test-key",
      OPENAI_MODEL: "fake-model",
      OPENAI_MAX_RETRIES: "0",
    };
    return { model, ...(await start({ ...env_, ...env })) };
  }

  it("streams the model's reply into the browser's stream, with the thread's history", async () => {
    const { model, server, token, threadId, send, ended } = await setup();
    const sse = subscribe(`${server.url}/api/chats/sse/${threadId}`, token);
    await sse.ready();
    model.respond(streamedReply(["Streaming ", "from ", "a ", "compatible ", "server."], 15));
    expect((await send("m_1", "Hello model")).status).toBe(202);
    await sse.completed();
    expect(sse.events().find((e) => e.type === "run.started")).toMatchObject({ agent: "fake-model" });
    expect(texts(sse.events()).length).toBeGreaterThan(1);
    expect(texts(sse.events()).join("")).toBe("Streaming from a compatible server.");
    expect(sse.events().at(-1)).toMatchObject({ type: "message.completed", text: "Streaming from a compatible server." });

    model.respond(streamedReply(["Second."]));
    await send("m_2", "And again");
    expect(await ended("m_2")).toMatchObject({ status: "complete", text: "Second." });
    expect(model.requests[1]?.body.messages).toEqual([
      { role: "user", content: "Hello model" },
      { role: "assistant", content: "Streaming from a compatible server." },
      { role: "user", content: "And again" },
    ]);
  });

  it("shows a 429 as a failed reply with a readable, retryable reason, and a retry then succeeds", async () => {
    const { model, send, ended } = await setup();
    model.respond(errorReply(429, "rate_limit_exceeded"));
    await send("m_1", "Hello");
    expect(await ended("m_1")).toMatchObject({
      status: "failed",
      error: { reason: "the model is busy or rate-limited (HTTP 429); try again in a moment", retryable: true },
    });
    model.respond(streamedReply(["Better now."]));
    await send("m_2", "Hello");
    expect(await ended("m_2")).toMatchObject({ status: "complete", text: "Better now." });
  });
});

describe("AGENT=langgraph through the local server", () => {
  async function setup(env: Record<string, string> = {}) {
    const graph = await startFakeLangGraph();
    cleanups.push(() => graph.close());
    return { graph, ...(await start({ AGENT: "langgraph", LANGGRAPH_URL: graph.url, LANGGRAPH_ASSISTANT_ID: "agent", ...env })) };
  }

  it("completes a run into the thread through the webhook, once however often it is delivered", async () => {
    const { graph, server, threadId, send, ended, logged } = await setup();
    await send("m_1", "Hello graph");
    expect(await ended("m_1")).toMatchObject({ status: "complete", text: "Hello from the graph.", agent: "agent" });
    const [delivery] = graph.webhooks;
    expect(delivery?.url.startsWith(`${server.url}/api/webhook/langgraph?thread=${threadId}&run=r_`)).toBe(true);
    expect(delivery?.status).toBe(200);
    const before = await logged();
    const again = await graph.redeliver(delivery?.runId as string);
    expect(again.status).toBe(200);
    expect(await logged()).toEqual(before);
    expect(before.filter((e) => e.type === "message.completed")).toHaveLength(1);
  });

  it("relays the run's tokens when LANGGRAPH_STREAM=true, then completes through the webhook", async () => {
    const { graph, server, token, threadId, send } = await setup({ LANGGRAPH_STREAM: "true" });
    graph.respond({ steps: [{ ai: "Tokens " }, { waitMs: 100 }, { ai: "as they " }, { waitMs: 100 }, { ai: "come." }] });
    const sse = subscribe(`${server.url}/api/chats/sse/${threadId}`, token);
    await sse.ready();
    await send("m_1", "Stream please");
    await sse.completed();
    expect(texts(sse.events()).length).toBeGreaterThanOrEqual(2);
    expect(texts(sse.events()).join("")).toBe("Tokens as they come.");
    expect(sse.events().at(-1)).toMatchObject({ type: "message.completed", text: "Tokens as they come." });
  });

  it("refuses a completion whose per-run secret is wrong, writing nothing", async () => {
    const { graph, send, ended, logged } = await setup();
    await send("m_1", "Hello");
    await ended("m_1");
    const [delivery] = graph.webhooks;
    const forged = new URL(delivery?.url as string);
    forged.searchParams.set("secret", "f".repeat(64));
    const before = await logged();
    const res = await fetch(forged, { method: "POST", body: JSON.stringify({ ...delivery?.payload, status: "error" }) });
    expect(res.status).toBe(401);
    expect(await logged()).toEqual(before);
  });

  it("cancels the run at LangGraph when the reply is stopped, and the thread records the stop once", async () => {
    const { config, graph, server, threadId, logged } = await setup({ LANGGRAPH_STREAM: "true" });
    graph.respond({ steps: [{ ai: "Working " }, { waitMs: 50 }, { ai: "on it " }, { waitMs: 10_000 }, { ai: "never sent" }] });
    const { deps } = server;
    await deps.ingest(threadId, [
      { id: "msg:m_1", threadId, at: Date.now(), type: "message.created", messageId: "m_1", role: "user", text: "Stop me" },
    ]);
    const agent = createAgent(config, { localUrl: () => server.url });
    const controller = new AbortController();
    const run = runAgentTurn(
      { log: deps.log, ingest: deps.ingest, agent, deltaWindowMs: 10 },
      { threadId, userMessageId: "m_1", attempt: 0 },
      controller.signal,
    );
    // Stopped in the middle of the reply: its first words are in the log, the rest is far off.
    const sofar = async () => texts(await logged()).join("");
    await expect.poll(sofar, WAIT).toBe("Working on it ");
    controller.abort();
    expect(await run).toBe("failed");
    expect(graph.requests.some((r) => r.line.endsWith("/cancel?wait=0&action=interrupt"))).toBe(true);
    await graph.webhooksDone(1);
    expect(graph.webhooks[0]).toMatchObject({ status: 200, payload: { status: "interrupted" } });
    const ends = (await logged()).filter((e) => e.type === "message.failed" || e.type === "message.completed");
    expect(ends).toEqual([expect.objectContaining({ type: "message.failed", kind: "stopped" })]);
  });

  it("stops a handed-off run (no token stream) from the stop endpoint: LangGraph cancels it, the thread records the stop once", async () => {
    const { graph, server, threadId, send, ended, logged, api } = await setup();
    graph.respond({ steps: [{ ai: "Working " }, { waitMs: 10_000 }, { ai: "never sent" }] });
    const sent = await send("m_1", "Stop me after the hand-off");
    expect(sent.status).toBe(202);
    await server.deps.invoker.idle(); // the runner has handed the run off to LangGraph and is gone
    expect(graph.requests.some((r) => r.line.includes("/runs"))).toBe(true);
    const stop = await api(`/chats/${threadId}/runs/${sent.body.runId}/cancel`, { method: "POST", body: "{}" });
    expect(stop.status).toBe(202);
    expect(await ended("m_1")).toMatchObject({ status: "failed", error: { kind: "stopped" } });
    expect(graph.requests.some((r) => r.line.endsWith("/cancel?wait=0&action=interrupt"))).toBe(true);
    await graph.webhooksDone(1);
    const ends = (await logged()).filter((e) => e.type === "message.failed" || e.type === "message.completed");
    expect(ends).toEqual([expect.objectContaining({ type: "message.failed", kind: "stopped" })]);
  });
});
