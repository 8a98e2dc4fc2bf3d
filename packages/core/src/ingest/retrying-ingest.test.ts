import { describe, expect, it } from "vitest";
import { UnavailableError, ValidationError } from "../errors/index.ts";
import type { Ingest } from "./ingest.ts";
import { retryingIngest } from "./retrying-ingest.ts";

function flaky(failures: number, error: Error): Ingest & { calls: number } {
  const fn = Object.assign(
    async () => {
      fn.calls++;
      if (fn.calls <= failures) throw error;
      return [{ id: "e", cursor: "x:1-0", duplicate: false, cancelRequested: false }];
    },
    { calls: 0 },
  );
  return fn;
}

describe("retrying ingestion", () => {
  it("retries while the store is unavailable, then succeeds", async () => {
    const inner = flaky(3, new UnavailableError("down"));
    await expect(retryingIngest(inner, 5000)("t", [{}])).resolves.toHaveLength(1);
    expect(inner.calls).toBe(4);
  });

  it("gives up after its time budget with the last error", async () => {
    const inner = flaky(1000, new UnavailableError("still down"));
    await expect(retryingIngest(inner, 200)("t", [{}])).rejects.toThrow("still down");
    expect(inner.calls).toBeGreaterThan(1);
  });

  it("does not retry a refusal", async () => {
    const inner = flaky(1, new ValidationError("bad"));
    await expect(retryingIngest(inner, 5000)("t", [{}])).rejects.toBeInstanceOf(ValidationError);
    expect(inner.calls).toBe(1);
  });
});
