import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createWebhookVerifier, signWebhook } from "./webhook-signature.ts";

const secret = "whsec_test_secret";
const body = '{"threadId":"t_1","events":[]}';

describe("webhook signatures", () => {
  it("signs as documented: hex HMAC-SHA256 of '<t>.<body>'", async () => {
    const expected = createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex");
    expect(await signWebhook(secret, body, 1700000000)).toBe(`t=1700000000,v1=${expected}`);
  });

  it("accepts a fresh signature, also among several", async () => {
    const verifier = createWebhookVerifier(secret);
    const header = await signWebhook(secret, body, 1000);
    await expect(verifier.verify(header, body, 1000 + 299)).resolves.toBeUndefined();
    const rotated = `${header.replace(/v1=\w+/, `v1=${"0".repeat(64)}`)},${header.split(",")[1]}`;
    await expect(verifier.verify(rotated, body, 1000)).resolves.toBeUndefined();
  });

  it("refuses missing, malformed, stale, wrong-secret and altered-body signatures", async () => {
    const verifier = createWebhookVerifier(secret);
    const header = await signWebhook(secret, body, 1000);
    await expect(verifier.verify(undefined, body, 1000)).rejects.toThrow("missing X-Murmur-Signature");
    await expect(verifier.verify("v1=abc", body, 1000)).rejects.toThrow("malformed");
    await expect(verifier.verify("t=1000,v1=zz", body, 1000)).rejects.toThrow("malformed");
    await expect(verifier.verify(header, body, 1000 + 301)).rejects.toThrow("stale");
    await expect(verifier.verify(header, body, 1000 - 301)).rejects.toThrow("stale");
    await expect(verifier.verify(await signWebhook("other", body, 1000), body, 1000)).rejects.toThrow("does not match");
    await expect(verifier.verify(header, `${body} `, 1000)).rejects.toThrow("does not match");
  });
});
