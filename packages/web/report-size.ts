import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { OutputBundle, OutputChunk } from "rolldown";
import type { Plugin } from "vite";

/** The JavaScript a first visit downloads, gzipped, must stay within this budget. */
export const JS_BUDGET_GZIP_BYTES = 25 * 1024;

/** One chunk's size. */
export interface ChunkSize {
  readonly name: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/**
 * Prints the production build's JavaScript size (raw and gzip) and records it in
 * `dist/size.json`, which the e2e suite checks against {@link JS_BUDGET_GZIP_BYTES}. The
 * first load is the entry and what it imports statically; chunks loaded later by a
 * dynamic `import()` (the Markdown renderer, the highlighter) are reported one by one,
 * outside the budget.
 */
export function reportSize(): Plugin {
  return {
    name: "murmur:report-size",
    apply: "build",
    writeBundle(options, bundle) {
      const chunks = Object.values(bundle as OutputBundle).filter((c): c is OutputChunk => c.type === "chunk");
      const size = (chunk: OutputChunk): ChunkSize => ({
        name: chunk.fileName,
        bytes: Buffer.byteLength(chunk.code),
        gzipBytes: gzipSync(chunk.code, { level: 9 }).length,
      });
      const first = firstLoad(chunks);
      const initial = chunks.filter((c) => first.has(c.fileName)).map(size);
      const lazy = chunks.filter((c) => !first.has(c.fileName)).map(size);
      const raw = initial.reduce((sum, c) => sum + c.bytes, 0);
      const gzip = initial.reduce((sum, c) => sum + c.gzipBytes, 0);
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
      const verdict = gzip <= JS_BUDGET_GZIP_BYTES ? "within" : "OVER";
      console.log(`\nJS first load: ${kb(raw)} raw, ${kb(gzip)} gzip (${verdict} the ${kb(JS_BUDGET_GZIP_BYTES)} budget)`);
      for (const c of lazy) console.log(`JS lazy chunk ${c.name}: ${kb(c.bytes)} raw, ${kb(c.gzipBytes)} gzip (loaded when needed)`);
      writeFileSync(
        join(options.dir ?? "dist", "size.json"),
        `${JSON.stringify({ jsBytes: raw, jsGzipBytes: gzip, budgetGzipBytes: JS_BUDGET_GZIP_BYTES, lazy })}\n`,
      );
    },
  };
}

/** The entry chunks and every chunk they import statically, transitively. */
function firstLoad(chunks: readonly OutputChunk[]): Set<string> {
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const imported of byName.get(name)?.imports ?? []) visit(imported);
  };
  for (const chunk of chunks) if (chunk.isEntry) visit(chunk.fileName);
  return seen;
}
