import { failureEvent, langGraphThreadId, runIdsFor, STOPPED } from "@murmur/core/agent";
import { createRunSecrets } from "@murmur/core/auth";
import { describe, expect, it } from "vitest";
import { createApp } from "../app.ts";
import { createLocalDeps } from "../local/deps.ts";
import { testConfig } from "../testing/config.ts";
import { langGraphWebhookUrl } from "./langgraph-webhook.ts";

/**
 * A thread whose reply is a LangGraph run in progress (as the runner leaves it after
 * the hand-off), and a way to deliver LangGraph's completion for it in-process.
 */
async function setup() {
  const deps = createLocalDeps(testConfig());
  const app = createApp(deps);
  const threadId = "t_lg";
  await deps.log.createThread({ id: threadId, owner: "s_1", createdAt: 1 });
  const { runId, messageId } = await runIdsFor(threadId, "m_1");
  await deps.ingest(threadId, [
    { id: "msg:m_1", threadId, at: 1, type: "message.created", messageId: "m_1", role: "user", text: "hi" },
    { id: `${runId}:started`, threadId, at: 2, type: "run.started", runId, messageId, replyTo: "m_1", agent: "agent" },
  ]);
  const secrets = createRunSecrets("test-webhook-secret");
  const url = new URL(await langGraphWebhookUrl("http://murmur.test", secrets, { threadId, runId }));
  const payload = async (extra: object) => ({
    run_id: "1f0a7c1e-0000-4000-8000-000000000001",
    thread_id: await langGraphThreadId(threadId),
    assistant_id: "agent",
    status: "success",
    metadata: { murmur_run_id: runId },
    values: {
      messages: [
        { type: "human", content: "hi" },
        { type: "ai", content: "the graph's answer" },
      ],
    },
    ...extra,
  });
  const deliver = async (body: unknown, query = url.search, path = url.pathname) => {
    const res = await app.request(`${path}${query}`, {
      method: "POST",
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    // Either an ingestion summary or an error; tests read whichever they expect.
    return {
      status: res.status,
      body: (await res.json()) as { accepted?: number; duplicates?: number; error: { code: string; message: string } },
    };
  };
  const events = async () => {
    const read = await deps.log.read(threadId, null, 1000);
    return read.kind === "events" ? read.events.map((e) => e.event) : [];
  };
  return { deps, url, runId, messageId, threadId, payload, deliver, events };
}

describe("LangGraph run completion webhook", () => {
  it("has a path of its own, and still answers the one runs handed off earlier were given", async () => {
    const { payload, deliver, events, url } = await setup();
    expect(url.pathname).toBe("/api/webhook/langgraph");
    const body = await payload({});
    expect(await deliver(body, url.search, "/api/webhook/chat-response")).toMatchObject({ status: 200, body: { accepted: 1 } });
    expect(await deliver(body)).toMatchObject({ status: 200, body: { accepted: 0, duplicates: 1 } });
    expect((await events()).filter((e) => e.type === "message.completed")).toHaveLength(1);
  });

  it("takes a completion of up to 4 MB on either path, and refuses a larger one with the JSON 413", async () => {
    const { payload, deliver, url } = await setup();
    const big = JSON.stringify(await payload({ padding: "x".repeat(1024 * 1024) }));
    for (const path of ["/api/webhook/langgraph", "/api/webhook/chat-response"]) {
      expect((await deliver(big, url.search, path)).status).not.toBe(413);
      const huge = await deliver(`${big.slice(0, -1)},"more":"${"y".repeat(4 * 1024 * 1024)}"}`, url.search, path);
      expect(huge).toMatchObject({ status: 413, body: { error: { code: "payload_too_large" } } });
    }
  });

  it("records the last AI message once, however often it is delivered", async () => {
    const { payload, deliver, events, runId, messageId } = await setup();
    const body = await payload({});
    expect(await deliver(body)).toMatchObject({ status: 200, body: { accepted: 1, duplicates: 0 } });
    expect(await deliver(body)).toMatchObject({ status: 200, body: { accepted: 0, duplicates: 1 } });
    const all = await events();
    expect(all.map((e) => e.type)).toEqual(["message.created", "run.started", "message.completed"]);
    expect(all.at(-1)).toMatchObject({ id: `${runId}:completed`, messageId, text: "the graph's answer" });
  });

  it("records failed runs with a readable reason and without LangGraph's error text", async () => {
    const { payload, deliver, events } = await setup();
    expect((await deliver(await payload({ status: "error", error: "KeyError: internals" }))).status).toBe(200);
    const last = (await events()).at(-1);
    expect(last).toMatchObject({ type: "message.failed", reason: "the LangGraph run failed", retryable: true });
    expect(JSON.stringify(last)).not.toContain("internals");
  });

  it("writes nothing more for a reply that already ended, such as a stopped one", async () => {
    const { deps, payload, deliver, events, threadId, runId, messageId } = await setup();
    await deps.ingest(threadId, [failureEvent({ threadId, runId, messageId }, STOPPED, 3)]);
    expect((await deliver(await payload({ status: "interrupted", values: undefined }))).body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await deliver(await payload({}))).body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await events()).filter((e) => e.type === "message.failed" || e.type === "message.completed")).toHaveLength(1);
  });

  it("refuses a wrong, missing or borrowed per-run secret before reading the body, writing nothing", async () => {
    const { url, payload, deliver, events, threadId } = await setup();
    const body = await payload({});
    const wrong = new URLSearchParams(url.search);
    wrong.set("secret", "0".repeat(64));
    const other = new URLSearchParams(url.search);
    other.set("run", "r_other");
    const { runId: siblingRun } = await runIdsFor(threadId, "m_2");
    const sibling = new URL(
      await langGraphWebhookUrl("http://x", createRunSecrets("test-webhook-secret"), { threadId, runId: siblingRun }),
    );
    const cases: [string, string][] = [
      [`?${wrong}`, "the per-run secret does not match this run"],
      [`?${other}`, "the per-run secret does not match this run"],
      [`?thread=${threadId}&run=${siblingRun}&secret=`, "missing per-run secret"],
      [`?thread=${threadId}&run=r_1&secret=${sibling.searchParams.get("secret")}`, "does not match"],
    ];
    for (const [query, message] of cases) {
      const res = await deliver(body, query);
      expect(res).toMatchObject({ status: 401, body: { error: { code: "unauthorized", message: expect.stringContaining(message) } } });
    }
    // A secret made with another WEBHOOK_SECRET does not open the run either.
    const forged = new URL(
      await langGraphWebhookUrl("http://x", createRunSecrets("another-webhook-secret"), { threadId, runId: siblingRun }),
    );
    expect((await deliver(body, forged.search)).status).toBe(401);
    // The secret is checked first: a wrong one is refused even with a body that is not JSON.
    expect((await deliver("{not json", `?${wrong}`)).status).toBe(401);
    expect((await events()).map((e) => e.type)).toEqual(["message.created", "run.started"]);
  });

  it("names what is wrong with the URL or the body", async () => {
    const { url, payload, deliver, threadId } = await setup();
    const noThread = new URLSearchParams(url.search);
    noThread.delete("thread");
    expect((await deliver(await payload({}), `?${noThread}`)).body.error.message).toContain("invalid LangGraph webhook URL");
    expect((await deliver(await payload({ status: "running" }))).body.error.message).toContain(
      "status: must be success, error, interrupted or timeout",
    );
    expect((await deliver(await payload({ thread_id: await langGraphThreadId("t_other") }))).body.error.message).toContain(
      `thread_id: is not the LangGraph thread of ${threadId}`,
    );
    expect((await deliver("{not json")).status).toBe(400);
  });

  it("accepts a completion larger than 64 KB (the whole state), up to 4 MB", async () => {
    const { payload, deliver } = await setup();
    const history = Array.from({ length: 200 }, (_, i) => ({ type: i % 2 ? "ai" : "human", content: "x".repeat(1000) }));
    const big = await payload({ values: { messages: [...history, { type: "ai", content: "last" }] } });
    expect(JSON.stringify(big).length).toBeGreaterThan(64 * 1024);
    expect(await deliver(big)).toMatchObject({ status: 200, body: { accepted: 1 } });
    const huge = await payload({ values: { messages: [{ type: "ai", content: "y".repeat(4 * 1024 * 1024) }] } });
    expect((await deliver(huge)).status).toBe(413);
  });

  it("keeps the 64 KB limit for signed webhooks", async () => {
    const { deliver } = await setup();
    const res = await deliver({ threadId: "t_lg", events: [], padding: "z".repeat(70 * 1024) }, "", "/api/webhook/chat-response");
    expect(res).toMatchObject({ status: 413, body: { error: { message: "request body exceeds 65536 bytes (64 KB)" } } });
  });
});
