import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../log.ts";
import { testConfig } from "../testing/config.ts";
import { type LocalServer, startLocalServer } from "./start.ts";

// Spans as an SDK records them (an in-memory exporter standing where OTLP would): a send
// with an incoming traceparent, followed through ingest and append into the agent run.

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let server: LocalServer;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  server = await startLocalServer(testConfig(), { webDist: "/nonexistent", logger: silentLogger });
});
afterAll(async () => {
  await server?.close();
  await provider.shutdown();
  trace.disable();
  context.disable();
});

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN = "00f067aa0ba902b7";
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe("spans", () => {
  it("follow a send from its traceparent through ingest and append into the agent run and its call to the agent", async () => {
    const { url } = server;
    const token = (await (await fetch(`${url}/api/session`, { method: "POST" })).json()).token as string;
    const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const threadId = (await (await fetch(`${url}/api/chats`, { method: "POST", headers, body: "{}" })).json()).thread.id as string;
    exporter.reset();
    const sent = await fetch(`${url}/api/chats/${threadId}/send`, {
      method: "POST",
      headers: { ...headers, traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01` },
      body: JSON.stringify({ messageId: "m_1", text: "Trace me" }),
    });
    expect(sent.status).toBe(202);
    await server.deps.invoker.idle();
    const spans = exporter.getFinishedSpans();
    const named = (name: string) => spans.filter((s) => s.name === name);
    for (const span of spans) expect(span.spanContext().traceId).toBe(TRACE_ID);

    const [send] = named("send");
    expect(parentOf(send as ReadableSpan)).toBe(PARENT_SPAN);
    const sendId = send?.spanContext().spanId;
    // The message's ingest is the send's child, and its append the ingest's.
    const sendIngest = named("ingest").find((s) => parentOf(s) === sendId) as ReadableSpan;
    expect(sendIngest).toBeDefined();
    const append = named("event_log.append").find((s) => parentOf(s) === sendIngest.spanContext().spanId);
    expect(append?.attributes["murmur.adapter"]).toBe("memory");

    // The run, started from the send, is its child though it runs after the send answered.
    const [run] = named("agent.run");
    expect(parentOf(run as ReadableSpan)).toBe(sendId);
    const runId = run?.spanContext().spanId;
    expect(named("agent.reply").map(parentOf)).toEqual([runId]);
    // Every append of the reply (run.started, deltas, completion) is a span of the run.
    const runIngests = named("ingest").filter((s) => parentOf(s) === runId);
    expect(runIngests.length).toBeGreaterThanOrEqual(3);
    expect(named("event_log.append")).toHaveLength(named("ingest").length);
  });
});
