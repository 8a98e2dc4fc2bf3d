import { signWebhook } from "@murmur/core/auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callFunctionUrl } from "./testing/call.ts";
import { type CloudFixture, startCloudFixture, TEST_SECRETS } from "./testing/cloud-fixture.ts";
import { hashBody } from "./testing/function-url.ts";

let fixture: CloudFixture;
let api: unknown;
let webhook: unknown;
beforeAll(async () => {
  fixture = await startCloudFixture();
  api = (await import("./api.ts")).handler;
  webhook = (await import("./webhook.ts")).handler;
});
afterAll(() => fixture?.close());

async function newThread() {
  const token = (await callFunctionUrl(api, "Api", hashBody({ method: "POST", path: "/api/session" }))).json.token as string;
  const headers = { "x-murmur-token": token, "content-type": "application/json" };
  const threadId = (await callFunctionUrl(api, "Api", hashBody({ method: "POST", path: "/api/chats", headers, body: "{}" }))).json.thread
    .id;
  const read = async () => (await callFunctionUrl(api, "Api", hashBody({ path: `/api/chats/${threadId}`, headers }))).json.state.messages;
  return { threadId: threadId as string, read };
}

describe("Webhook function", () => {
  it("verifies the signature over the raw body, also when Lambda hands it over base64-encoded, and lands a redelivery once", async () => {
    const { threadId, read } = await newThread();
    const body = JSON.stringify({
      threadId,
      events: [{ id: "ext:1", threadId, at: 1, type: "message.created", messageId: "m_ext", role: "user", text: "from an agent ✓" }],
    });
    // curl's default form content type: Function URLs base64-encode such bodies.
    const post = async (signature: string, raw = body) =>
      callFunctionUrl(webhook, "Webhook", {
        method: "POST",
        path: "/api/webhook/chat-response",
        headers: { "x-murmur-signature": signature, "content-type": "application/x-www-form-urlencoded" },
        body: raw,
        base64: true,
      });
    const signature = await signWebhook(TEST_SECRETS.webhook, body);
    expect((await post(signature)).json).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await post(signature)).json).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await read()).toMatchObject([{ id: "m_ext", text: "from an agent ✓" }]);

    const forged = await post(signature, body.replace("from an agent", "forged"));
    expect(forged.statusCode).toBe(401);
    expect(forged.json.error.message).toContain("does not match");
    expect(await read()).toHaveLength(1);
  });

  it("refuses a webhook signed with another secret", async () => {
    const { threadId } = await newThread();
    const body = JSON.stringify({ threadId, events: [] });
    const res = await callFunctionUrl(webhook, "Webhook", {
      method: "POST",
      path: "/api/webhook/chat-response",
      headers: { "x-murmur-signature": await signWebhook("another-secret-value", body), "content-type": "application/json" },
      body,
    });
    expect(res.statusCode).toBe(401);
  });
});
