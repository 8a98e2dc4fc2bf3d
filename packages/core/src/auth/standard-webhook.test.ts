import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { createStandardWebhookVerifier, standardWebhookKey } from "./standard-webhook.ts";

describe("Standard Webhooks verification", () => {
  const secret = `whsec_${btoa("twenty-four random bytes")}`;

  it("reads a whsec_ secret as base64 and any other as raw bytes, as the official libraries do", () => {
    expect(new TextDecoder().decode(standardWebhookKey(secret))).toBe("twenty-four random bytes");
    expect(new TextDecoder().decode(standardWebhookKey("plain-secret-value"))).toBe("plain-secret-value");
    expect(() => standardWebhookKey("whsec_not base64")).toThrow(/base64/);
  });

  it("verifies what the official library signs, within 5 minutes, and returns the webhook-id", async () => {
    const verifier = createStandardWebhookVerifier(secret);
    const at = new Date(1_700_000_000_000);
    const signature = new Webhook(secret).sign("msg_1", at, '{"a":1}');
    const headers = { id: "msg_1", timestamp: "1700000000", signature };
    expect(await verifier.verify(headers, '{"a":1}', 1_700_000_000 + 300)).toBe("msg_1");
    await expect(verifier.verify(headers, '{"a":1}', 1_700_000_000 + 301)).rejects.toThrow(/stale webhook-timestamp/);
    await expect(verifier.verify(headers, '{"a":2}', 1_700_000_000)).rejects.toThrow(/does not match/);
    await expect(verifier.verify({ ...headers, timestamp: "soon" }, '{"a":1}')).rejects.toThrow(/malformed webhook-timestamp/);
  });
});
