import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_BUDGETS_KB, type FunctionName } from "./testing/bundle-budgets.ts";
import { buildLikeSst, type SstBundle } from "./testing/sst-build.ts";

// Each entry built as `sst deploy` builds it (minified, as sst.config.ts asks): within
// its budget, and without the clients its function does not use. `npm run bundles`
// measures more (parts, cold imports, memory); this keeps the sizes from creeping.
const ENTRIES: Record<FunctionName, string> = {
  Api: "api.ts",
  Webhook: "webhook.ts",
  Stream: "stream.ts",
  Agent: "agent.ts",
};
/** Packages a function must not bundle: each is used elsewhere alone. */
const NOT_IN: Record<FunctionName, readonly string[]> = {
  Api: ["ioredis", "openai", "@langchain/langgraph-sdk"],
  Webhook: ["ioredis", "openai", "@langchain/langgraph-sdk", "@aws-sdk/client-lambda"],
  // Stream talks to Upstash over TCP only (its blocking reads need the connection anyway).
  Stream: ["@upstash/redis", "openai", "@langchain/langgraph-sdk", "@aws-sdk/client-lambda"],
  Agent: ["ioredis", "@aws-sdk/client-lambda"],
};
/** The Redis client each function does use, so the check above looks at real bundles. */
const REDIS_CLIENT: Record<FunctionName, string> = {
  Api: "@upstash/redis",
  Webhook: "@upstash/redis",
  Stream: "ioredis",
  Agent: "@upstash/redis",
};

let out: string;
const bundles = new Map<FunctionName, SstBundle>();
beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "murmur-bundles-test-"));
  for (const [name, entry] of Object.entries(ENTRIES) as [FunctionName, string][]) {
    bundles.set(name, await buildLikeSst(fileURLToPath(new URL(entry, import.meta.url)), join(out, name), true));
  }
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("the Lambda bundles", () => {
  it.each(Object.keys(ENTRIES) as FunctionName[])("%s stays within its budget", (name) => {
    const budget = BUNDLE_BUDGETS_KB[name];
    const bundle = bundles.get(name) as SstBundle;
    expect(bundle.bytes).toBeGreaterThan(0);
    if (budget !== null) expect(bundle.bytes).toBeLessThanOrEqual(budget * 1000);
  });

  it.each(Object.keys(ENTRIES) as FunctionName[])("%s bundles no client it does not use", (name) => {
    // What made it into bundle.mjs (the metafile's top-level inputs also list files tree-shaken away).
    const inputs = Object.values((bundles.get(name) as SstBundle).metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs).flatMap(([input, { bytesInOutput }]) => (bytesInOutput > 0 ? [input] : [])),
    );
    for (const pkg of NOT_IN[name]) expect(inputs.filter((input) => input.includes(`node_modules/${pkg}/`))).toEqual([]);
    // And what it does use is there, so the check above looks at real bundles.
    expect(inputs.some((input) => input.includes(`node_modules/${REDIS_CLIENT[name]}/`))).toBe(true);
  });
});
