import { callFunctionUrl, type UrlResponse } from "../../src/lambda/testing/call.ts";
import { hashBody, lambdaContext } from "../../src/lambda/testing/function-url.ts";
import { type MemorySample, trackPeak } from "./probe-memory.ts";

// What the bench asks of the Api, Agent and Webhook bundles, each through the entry's
// real handler: a check that the bundle works, beyond importing.

function expectStatus(res: UrlResponse, status: number, what: string): UrlResponse {
  if (res.statusCode !== status) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
  return res;
}

/** Api: a new session and a thread of its own. */
export async function sessionJob(handler: unknown): Promise<{ token: string; threadId: string }> {
  const session = expectStatus(await callFunctionUrl(handler, "Api", hashBody({ method: "POST", path: "/api/session" })), 200, "session");
  const token = session.json.token as string;
  const headers = { "x-murmur-token": token, "content-type": "application/json" };
  const thread = expectStatus(
    await callFunctionUrl(handler, "Api", hashBody({ method: "POST", path: "/api/chats", headers, body: "{}" })),
    201,
    "chat",
  );
  return { token, threadId: thread.json.thread.id as string };
}

/** Api: a message sent, which invokes Agent (the parent's Invoke API records the payload). */
export async function sendJob(handler: unknown, args: Record<string, unknown>): Promise<{ runId: string }> {
  const headers = { "x-murmur-token": String(args.token), "content-type": "application/json" };
  const body = JSON.stringify({ messageId: args.messageId, text: args.text });
  const path = `/api/chats/${args.threadId}/send`;
  const res = expectStatus(await callFunctionUrl(handler, "Api", hashBody({ method: "POST", path, headers, body })), 202, "send");
  return { runId: res.json.runId as string };
}

/** Agent: one asynchronous invoke's payload, run to the end; with the process's memory at its highest meanwhile. */
export async function agentJob(handler: unknown, args: Record<string, unknown>): Promise<{ outcome: unknown; peak: MemorySample }> {
  const tracker = trackPeak();
  // The handler logs its outcome as a JSON line for CloudWatch: it goes to the parent's output as is.
  const outcome = await (handler as (payload: unknown, context: unknown) => Promise<unknown>)(
    args.payload,
    lambdaContext("Agent", 300_000),
  );
  return { outcome, peak: tracker.stop() };
}

/** Webhook: a batch of an external agent's events, signed by the parent. */
export async function webhookJob(handler: unknown, args: Record<string, unknown>): Promise<{ status: number }> {
  const body = args.body as string;
  const headers = { "x-murmur-signature": args.signature as string, "content-type": "application/json" };
  const res = await callFunctionUrl(handler, "Webhook", { method: "POST", path: "/api/webhook/chat-response", headers, body });
  return { status: expectStatus(res, 200, "webhook").statusCode };
}
