import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";

// How `sst deploy` (SST 4.17) bundles a Node.js function. function.ts sends the
// function's `nodejs` settings and its architecture to the CLI ("Runtime.Build",
// .sst/platform/src/components/aws/function.ts:1802-1818 and 2097-2103), and the CLI
// runs esbuild's Go API, pkg/runtime/node/build.go in SST's repository (v4.17.0; the
// 4.17.1 CLI embeds esbuild v0.27.2, the version pinned in this package):
// - build.go:126-155: platform node, bundle, format ESM, outfile `bundle.mjs`, metafile,
//   keepNames true, sourcemap linked, mainFields module then main, no conditions, the
//   banner below; external only `sharp` and `pg-native` (build.go:21-23) plus
//   `nodejs.install` and `nodejs.esbuild.external`: `@aws-sdk/*` is bundled, not taken
//   from the runtime.
// - build.go:25-33: target es2023 for nodejs22.x.
// - build.go:172-177: minified only when `nodejs.minify` is set. Its docs say it defaults
//   to true, but the CLI reads it as a Go bool (node.go:119), false when absent; hence
//   `nodejs: { minify: true }` in sst.config.ts, and these builds minify.
// - build.go:233-241 and function.ts:2491-2496: the `.map` is left out of the zip (the
//   console uploads it to the bootstrap bucket); the zip holds bundle.mjs and
//   resource.enc (the links, encrypted), so the bundle's bytes are what ships.
// The CLI's one plugin (sst-version-check) only refuses a mismatched `sst` package.

/** Where the CLI runs esbuild (the app's root): metafile paths are relative to it. */
const APP_ROOT = fileURLToPath(new URL("../../../../../", import.meta.url));

/** The banner build.go:143-152 prepends: `require`, `__filename` and `__dirname` for ESM. */
export const SST_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
  "", // `nodejs.banner`, unset here
].join("\n");

/** A function's bundle as `sst deploy` writes it. */
export interface SstBundle {
  /** bundle.mjs */
  readonly path: string;
  readonly bytes: number;
  /** gzip -9 of bundle.mjs: about what the zip's deflate makes of it. */
  readonly gzipBytes: number;
  readonly metafile: Metafile;
}

/** Bundles `entry` into `outDir/bundle.mjs` as SST 4.17 does for a nodejs22.x function with `nodejs.minify` set to `minify`. */
export async function buildLikeSst(entry: string, outDir: string, minify: boolean): Promise<SstBundle> {
  const path = join(outDir, "bundle.mjs");
  const result = await build({
    absWorkingDir: APP_ROOT,
    entryPoints: [entry],
    platform: "node",
    external: ["sharp", "pg-native"],
    keepNames: true,
    bundle: true,
    metafile: true,
    outfile: path,
    sourcemap: "linked",
    write: true,
    format: "esm",
    target: "es2023",
    mainFields: ["module", "main"],
    banner: { js: SST_BANNER },
    minifyWhitespace: minify,
    minifySyntax: minify,
    minifyIdentifiers: minify,
    logLevel: "error",
  });
  const code = readFileSync(path);
  return { path, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, metafile: result.metafile };
}
