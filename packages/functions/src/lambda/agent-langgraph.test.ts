import { createServer, type Server } from "node:http";
import { type FakeLangGraphServer, readBody, startFakeLangGraph } from "@murmur/core/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { callFunctionUrl } from "./testing/call.ts";
import { AGENT_FUNCTION, type CloudFixture, startCloudFixture } from "./testing/cloud-fixture.ts";
import { hashBody, lambdaContext } from "./testing/function-url.ts";

// The cloud path of a stop after LangGraph took the run over: the Agent function that
// created the run has returned, so the stop goes Api -> Agent (async invoke) -> LangGraph.

let fixture: CloudFixture;
let graph: FakeLangGraphServer;
let bridge: Server;
let api: unknown;
let agent: (payload: unknown, context: ReturnType<typeof lambdaContext>) => Promise<string>;
beforeAll(async () => {
  vi.spyOn(console, "log").mockImplementation(() => undefined);
  graph = await startFakeLangGraph();
  // PUBLIC_URL: LangGraph's webhook call reaches the Webhook function as a Function URL event.
  let webhook: unknown;
  bridge = createServer(async (req, res) => {
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const body = await readBody(req);
    const answer = await callFunctionUrl(webhook, "Webhook", { method: req.method, path: req.url ?? "/", headers, body });
    res.writeHead(answer.statusCode, answer.headers).end(answer.body);
  });
  await new Promise<void>((resolve) => bridge.listen(0, "127.0.0.1", resolve));
  const address = bridge.address() as { port: number };
  fixture = await startCloudFixture({
    env: { AGENT: "langgraph", LANGGRAPH_URL: graph.url, LANGGRAPH_ASSISTANT_ID: "agent", PUBLIC_URL: `http://127.0.0.1:${address.port}` },
    links: {
      Agent: { type: "sst.aws.Function", name: AGENT_FUNCTION },
      OpenAiApiKey: { type: "sst.sst.Secret", value: "" },
      LangGraphApiKey: { type: "sst.sst.Secret", value: "" },
    },
  });
  api = (await import("./api.ts")).handler;
  agent = (await import("./agent.ts")).handler;
  webhook = (await import("./webhook.ts")).handler;
});
afterAll(async () => {
  await fixture?.close();
  await graph?.close();
  bridge?.closeAllConnections();
  await new Promise((resolve) => bridge?.close(resolve));
});

const deliver = (payload: unknown) => agent(payload, lambdaContext("Agent", 300_000));

describe("Agent function with LangGraph", () => {
  it("stops a run after the hand-off: the stop reaches LangGraph through the Agent function, and the thread records it once", async () => {
    graph.respond({ steps: [{ ai: "Working " }, { waitMs: 10_000 }, { ai: "never sent" }] });
    const token = (await callFunctionUrl(api, "Api", hashBody({ method: "POST", path: "/api/session" }))).json.token as string;
    const headers = { "x-murmur-token": token, "content-type": "application/json" };
    const threadId = (await callFunctionUrl(api, "Api", hashBody({ method: "POST", path: "/api/chats", headers, body: "{}" }))).json.thread
      .id;
    const sent = await callFunctionUrl(
      api,
      "Api",
      hashBody({
        method: "POST",
        path: `/api/chats/${threadId}/send`,
        headers,
        body: JSON.stringify({ messageId: "m_1", text: "Stop me after the hand-off" }),
      }),
    );
    expect(sent.statusCode).toBe(202);
    expect(await deliver(fixture.invokeApi.invokes.at(-1)?.payload)).toBe("detached");

    const invokesBefore = fixture.invokeApi.invokes.length;
    const stop = await callFunctionUrl(
      api,
      "Api",
      hashBody({
        method: "POST",
        path: `/api/chats/${threadId}/runs/${sent.json.runId}/cancel`,
        headers,
        body: "{}",
      }),
    );
    expect(stop.statusCode).toBe(202);
    expect(fixture.invokeApi.invokes).toHaveLength(invokesBefore + 1);
    const stopPayload = fixture.invokeApi.invokes.at(-1)?.payload;
    expect(stopPayload).toEqual({ type: "stop", threadId, runId: sent.json.runId });

    expect(await deliver(stopPayload)).toBe("stopped");
    expect(graph.requests.filter((r) => r.line.endsWith("/cancel?wait=0&action=interrupt"))).toHaveLength(1);
    await graph.webhooksDone(1);
    expect(graph.webhooks[0]).toMatchObject({ status: 200, payload: { status: "interrupted" } });
    expect(await deliver(stopPayload)).toBe("ended"); // Lambda delivering the stop again changes nothing

    const history = await callFunctionUrl(api, "Api", hashBody({ path: `/api/chats/${threadId}`, headers }));
    const replies = history.json.state.messages.filter((m: { role: string }) => m.role === "assistant");
    expect(replies).toMatchObject([{ status: "failed", error: { kind: "stopped", retryable: true } }]);
  });

  it("rejects a stop payload that names no run", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await deliver({ type: "stop", threadId: "t_1" })).toBe("rejected");
  });
});
