import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createRunSecrets } from "./run-secret.ts";

const run = { threadId: "t_1", runId: "r_1" };

describe("per-run webhook secrets", () => {
  it("derives a stable hex HMAC of the run, keyed with the webhook secret", async () => {
    const secrets = createRunSecrets("webhook-secret-0123");
    const expected = createHmac("sha256", "webhook-secret-0123").update("murmur-run-secret\nt_1\nr_1").digest("hex");
    expect(await secrets.forRun(run)).toBe(expected);
    expect(await secrets.forRun({ ...run, runId: "r_2" })).not.toBe(expected);
    expect(await createRunSecrets("another-secret-4567").forRun(run)).not.toBe(expected);
  });

  it("accepts the run's own secret only", async () => {
    const secrets = createRunSecrets("webhook-secret-0123");
    const secret = await secrets.forRun(run);
    await expect(secrets.verify(run, secret)).resolves.toBeUndefined();
    await expect(secrets.verify(run, secret.toUpperCase())).resolves.toBeUndefined();
    await expect(secrets.verify(run, undefined)).rejects.toThrow("missing per-run secret");
    await expect(secrets.verify(run, "zz")).rejects.toThrow("does not match");
    await expect(secrets.verify(run, secret.slice(0, 62))).rejects.toThrow("does not match");
    await expect(secrets.verify({ ...run, runId: "r_2" }, secret)).rejects.toThrow("does not match");
    await expect(secrets.verify({ ...run, threadId: "t_2" }, secret)).rejects.toThrow("does not match");
  });
});
