import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { JS_BUDGET_GZIP_BYTES } from "../report-size.ts";
import { WEB_DIST } from "./server.ts";

describe("the production build", () => {
  it(`ships at most ${JS_BUDGET_GZIP_BYTES / 1024} KB of JavaScript, gzipped`, () => {
    const size = JSON.parse(readFileSync(`${WEB_DIST}/size.json`, "utf8")) as { jsGzipBytes: number };
    console.log(`web JS: ${(size.jsGzipBytes / 1024).toFixed(1)} KB gzip`);
    expect(size.jsGzipBytes).toBeGreaterThan(0);
    expect(size.jsGzipBytes).toBeLessThanOrEqual(JS_BUDGET_GZIP_BYTES);
  });
});
