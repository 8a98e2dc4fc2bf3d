import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Plugin } from "vite";

/** The JavaScript a first visit downloads, gzipped, must stay within this budget. */
export const JS_BUDGET_GZIP_BYTES = 25 * 1024;

/**
 * Prints the production build's JavaScript size (raw and gzip) and records it in
 * `dist/size.json`, which the e2e suite checks against {@link JS_BUDGET_GZIP_BYTES}.
 */
export function reportSize(): Plugin {
  return {
    name: "murmur:report-size",
    apply: "build",
    writeBundle(options, bundle) {
      let raw = 0;
      let gzip = 0;
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== "chunk") continue;
        raw += Buffer.byteLength(chunk.code);
        gzip += gzipSync(chunk.code, { level: 9 }).length;
      }
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
      const verdict = gzip <= JS_BUDGET_GZIP_BYTES ? "within" : "OVER";
      console.log(`\nJS size: ${kb(raw)} raw, ${kb(gzip)} gzip (${verdict} the ${kb(JS_BUDGET_GZIP_BYTES)} budget)`);
      writeFileSync(
        join(options.dir ?? "dist", "size.json"),
        `${JSON.stringify({ jsBytes: raw, jsGzipBytes: gzip, budgetGzipBytes: JS_BUDGET_GZIP_BYTES })}\n`,
      );
    },
  };
}
