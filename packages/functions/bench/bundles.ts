import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { version as esbuildVersion } from "esbuild";
import { buildLikeSst } from "../src/lambda/testing/sst-build.ts";
import { contributors } from "./bundles/contributors.ts";
import { FUNCTIONS, type FunctionSpec } from "./bundles/functions.ts";
import { holdOneStream } from "./bundles/hold-run.ts";
import type { MemorySample } from "./bundles/probe-memory.ts";
import { buildProbe, killProbes, lambdaV8Flags, runProbe } from "./bundles/probe-runner.ts";
import { bundlesMarkdown, sizeTable } from "./bundles/report.ts";
import { type BundleResult, type BundlesResults, medianSample } from "./bundles/results.ts";
import { withBundlesSection } from "./bundles/section.ts";
import { startBenchServices } from "./bundles/services.ts";
import { formatInRepo } from "./format-file.ts";

/**
 * `npm run bundles`: builds the four Lambda entries as `sst deploy` does, and measures
 * each bundle's size, parts and cold import, and the Stream function's memory while it
 * holds one stream. Prints the tables; writes bench/results/bundles.json and the
 * "Lambda bundles and memory" section of BENCHMARKS.md.
 *
 *   --runs=N      cold imports per function (default 7)
 *   --hold=S      how long the stream is held (default 30)
 *   --dry         write nothing into the repository
 *
 * Ends by itself: every child has a timeout, and the whole run stops after 5 minutes.
 * Exits 1 when a bundle is over its target, a check failed, or the stream did not fit.
 */
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const RESULTS = join(REPO_ROOT, "packages/functions/bench/results/bundles.json");
const BENCHMARKS = join(REPO_ROOT, "BENCHMARKS.md");
const HARD_STOP_MS = 5 * 60_000;
const IMPORT_TIMEOUT_MS = 20_000;

/** Stops the services (the private redis-server above all) when the run is cut short. */
let stopServices: (() => Promise<void>) | null = null;

const option = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);

async function main(): Promise<number> {
  const started = Date.now();
  const runs = option("runs", 7);
  const holdMs = option("hold", 30) * 1000;
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    load: loadavg().map((n) => Math.round(n * 100) / 100),
  };
  const work = mkdtempSync(join(tmpdir(), "murmur-bundles-"));
  const services = await startBenchServices();
  stopServices = services.close;
  const problems: string[] = [];
  try {
    const probe = await buildProbe(work);
    const built = await Promise.all(
      FUNCTIONS.map(async (spec) => ({
        spec,
        bundle: await buildLikeSst(spec.entry, join(work, spec.name), true),
        unminified: await buildLikeSst(spec.entry, join(work, `${spec.name}-unminified`), false),
      })),
    );
    console.log(`bundles: built ${built.map((b) => `${b.spec.name} ${b.bundle.bytes} B`).join(", ")}; ${runs} cold imports each`);

    const imports = new Map<string, { importMs: number; before: MemorySample; after: MemorySample }[]>();
    const coldImport = (spec: FunctionSpec, bundle: string) =>
      runProbe<{ importMs: number; before: MemorySample; after: MemorySample }>({
        probe,
        job: "import",
        bundle,
        env: services.environment(spec),
        nodeArgs: lambdaV8Flags(spec.memoryMb),
        timeoutMs: IMPORT_TIMEOUT_MS,
      });
    // Round robin, so a burst of load on the shared machine spreads over the functions.
    for (let run = 0; run < runs; run++) {
      for (const { spec, bundle } of built) {
        const result = await coldImport(spec, bundle.path);
        imports.set(spec.name, [...(imports.get(spec.name) ?? []), result]);
      }
    }
    const bundles: BundleResult[] = built.map(({ spec, bundle, unminified }) => {
      const measured = imports.get(spec.name) ?? [];
      return {
        name: spec.name,
        memoryMb: spec.memoryMb,
        targetKb: spec.targetKb,
        bytes: bundle.bytes,
        gzipBytes: bundle.gzipBytes,
        unminifiedBytes: unminified.bytes,
        contributors: contributors(bundle.metafile).slice(0, 12),
        importMs: measured.map((m) => Math.round(m.importMs * 10) / 10),
        beforeImport: medianSample(measured.map((m) => m.before)),
        afterImport: medianSample(measured.map((m) => m.after)),
      };
    });
    for (const b of bundles) {
      if (b.targetKb !== null && b.bytes > b.targetKb * 1000)
        problems.push(`${b.name} is ${b.bytes} bytes, over its ${b.targetKb} kB target`);
    }

    const paths = Object.fromEntries(built.map((b) => [b.spec.name, b.bundle.path]));
    const hold = await holdOneStream({ probe, services, paths, holdMs, problems });

    const results: BundlesResults = {
      startedAt: new Date(started).toISOString(),
      seconds: Math.round((Date.now() - started) / 100) / 10,
      machine,
      esbuild: esbuildVersion,
      runs,
      bundles,
      hold,
      problems,
    };
    console.log(`\n${sizeTable(bundles)}\n`);
    const markdown = bundlesMarkdown(results);
    if (process.argv.includes("--dry")) {
      console.log(markdown);
    } else {
      writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
      formatInRepo(RESULTS);
      writeFileSync(BENCHMARKS, withBundlesSection(readFileSync(BENCHMARKS, "utf8"), markdown));
      console.log(markdown);
      console.log(`bundles: wrote ${RESULTS} and the section of ${BENCHMARKS}`);
    }
    for (const problem of problems) console.error(`bundles: problem: ${problem}`);
    return problems.length ? 1 : 0;
  } finally {
    killProbes();
    await services.close();
    rmSync(work, { recursive: true, force: true });
  }
}

// Whatever happens, the run ends: children first, then this process.
setTimeout(() => {
  console.error(`bundles: still running after ${HARD_STOP_MS / 1000} s; stopped`);
  killProbes();
  const stopped = stopServices?.() ?? Promise.resolve();
  void Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 3000))]).finally(() => process.exit(2));
}, HARD_STOP_MS).unref();

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    killProbes();
    process.exit(1);
  },
);
