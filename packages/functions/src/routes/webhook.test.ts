import { createMemoryEventLog } from "@murmur/core/event-log";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { createApp } from "../app.ts";
import { createLocalDeps } from "../local/deps.ts";
import { testConfig } from "../testing/config.ts";

// An agent's view: it signs with the official `standardwebhooks` package, as its docs say.
const SECRET = `whsec_${Buffer.from("an agent's key of 24 bytes").toString("base64")}`;

async function setup(webhookSecret = SECRET) {
  const deps = createLocalDeps(testConfig({ WEBHOOK_SECRET: webhookSecret }), createMemoryEventLog());
  const app = createApp(deps);
  const threadId = "t_wh";
  await deps.log.createThread({ id: threadId, owner: "s_1", createdAt: 1 });
  const post = (raw: string, headers: Record<string, string>) =>
    app.request("/api/webhook/chat-response", { method: "POST", body: raw, headers: { "content-type": "application/json", ...headers } });
  const signed = (webhook: Webhook, id: string, raw: string, at = new Date()) => ({
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": webhook.sign(id, at, raw),
  });
  const logged = async () => {
    const read = await deps.log.read(threadId, null, 1000);
    return read.kind === "events" ? read.events.map((e) => e.event) : [];
  };
  const body = (events: object[]) => JSON.stringify({ threadId, events: events.map((e) => ({ threadId, at: 1, ...e })) });
  return { post, signed, logged, body, threadId };
}

const userMessage = (n: number) => ({ type: "message.created", messageId: `m_${n}`, role: "user", text: `from an agent ${n}` });

describe("Standard Webhooks", () => {
  it("lands a delivery signed by the official library once, however often it is delivered", async () => {
    const { post, signed, logged, body } = await setup();
    const webhook = new Webhook(SECRET);
    // The second event has no id: the webhook-id is the delivery's idempotency key.
    const raw = body([{ id: "ext:1", ...userMessage(1) }, userMessage(2)]);
    const headers = signed(webhook, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", raw);
    const first = await post(raw, headers);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ accepted: 2, duplicates: 0 });
    const again = await post(raw, headers);
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 2 });
    expect((await logged()).map((e) => e.id)).toEqual(["ext:1", "wh:msg_2KWPBgLlAfxdpx2AI54pPJ85f4W:1"]);
  });

  it("accepts any of several signatures while a secret rotates, and a secret that is not whsec_ as raw bytes", async () => {
    const { post, signed, logged, body } = await setup();
    const raw = body([userMessage(1)]);
    const old = signed(new Webhook(`whsec_${Buffer.from("the old key").toString("base64")}`), "msg_rotate", raw);
    const current = signed(new Webhook(SECRET), "msg_rotate", raw);
    const both = { ...current, "webhook-signature": `${old["webhook-signature"]} ${current["webhook-signature"]}` };
    expect((await post(raw, both)).status).toBe(200);
    expect(await logged()).toHaveLength(1);

    const plain = await setup("a-plain-secret-made-before-whsec");
    const rawPlain = plain.body([userMessage(1)]);
    const res = await plain.post(
      rawPlain,
      plain.signed(new Webhook("a-plain-secret-made-before-whsec", { format: "raw" }), "msg_raw", rawPlain),
    );
    expect(res.status).toBe(200);
  });

  it("refuses tampered, stale, wrongly signed, unsigned and half-signed deliveries, writing nothing", async () => {
    const { post, signed, logged, body } = await setup();
    const webhook = new Webhook(SECRET);
    const raw = body([userMessage(1)]);
    const good = signed(webhook, "msg_1", raw);
    const cases: [string, Record<string, string>, string][] = [
      [raw.replace("from an agent", "forged"), good, "webhook-signature does not match"],
      [raw, { ...good, "webhook-id": "msg_2" }, "webhook-signature does not match"],
      [raw, signed(webhook, "msg_1", raw, new Date(Date.now() - 301_000)), "stale webhook-timestamp"],
      [raw, signed(new Webhook(`whsec_${Buffer.from("somebody else").toString("base64")}`), "msg_1", raw), "does not match"],
      [raw, {}, "unsigned webhook"],
      [
        raw,
        { "webhook-id": "msg_1", "webhook-signature": good["webhook-signature"] },
        "missing Standard Webhooks header: webhook-timestamp",
      ],
      [raw, { ...good, "webhook-signature": "v1,not-base64!" }, "malformed webhook-signature"],
    ];
    for (const [payload, headers, message] of cases) {
      const res = await post(payload, headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: "unauthorized", message: expect.stringContaining(message) } });
    }
    expect(await logged()).toEqual([]);
  });

  it("refuses a webhook-id that cannot key events, and an unknown thread, with the JSON error", async () => {
    const { post, signed, body, logged } = await setup();
    const webhook = new Webhook(SECRET);
    const raw = body([userMessage(1)]);
    const res = await post(raw, signed(webhook, "msg with spaces", raw));
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain("webhook-id");
    const elsewhere = JSON.stringify({ threadId: "t_nope", events: [{ threadId: "t_nope", at: 1, ...userMessage(1) }] });
    const missing = await post(elsewhere, signed(webhook, "msg_x", elsewhere));
    expect(missing.status).toBe(404);
    expect(await logged()).toEqual([]);
  });

  it("refuses a delta that would grow a reply past 64 KB with 413 naming the limit, and fails the reply (too_large)", async () => {
    const { post, signed, logged, body } = await setup();
    const webhook = new Webhook(SECRET);
    const run = { runId: "r_big", messageId: "a_big" };
    const deliver = (id: string, events: object[]) => {
      const raw = body(events);
      return post(raw, signed(webhook, id, raw));
    };
    const delta = (seq: number, bytes: number) => ({ id: `r_big:d:${seq}`, type: "message.delta", ...run, seq, text: "x".repeat(bytes) });
    await deliver("msg_a", [{ id: "r_big:started", type: "run.started", ...run, replyTo: "m_1", agent: "external" }, delta(0, 40_000)]);
    const res = await deliver("msg_b", [delta(1, 30_000)]);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toEqual({
      code: "payload_too_large",
      message:
        "reply a_big would hold 70000 bytes; a reply may hold at most 65536 bytes (64 KB, LIMIT_REPLY_BYTES): the batch was refused and the reply failed",
    });
    const events = await logged();
    expect(events.filter((e) => e.type === "message.delta")).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: "message.failed", ...run, kind: "too_large", retryable: false });
  });
});
