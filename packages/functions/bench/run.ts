import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runSlowReaderProbe } from "../src/testing/slow-reader-probe.ts";
import { type CostResults, measureCost } from "./cost/measure.ts";
import { formatInRepo } from "./format-file.ts";
import { describeMachine } from "./machine.ts";
import { FULL, type Plan, QUICK } from "./plan.ts";
import { writeReport } from "./report.ts";
import type { BenchResults, SystemId, SystemResult } from "./results.ts";
import { runSystem, stopRedisProcesses } from "./system-run.ts";
import { SYSTEM_SPECS } from "./systems.ts";
import { SubscriberPool } from "./workers.ts";

/**
 * `npm run bench`: measures Murmur (memory and Redis event logs) and the designs it is
 * compared with, in one run, and writes BENCHMARKS.md, an SVG chart and the raw results.
 *
 *   --quick         tiny loads in under a minute: a smoke test that the harness works and
 *                   writes its results (to a temporary folder unless --out is given)
 *   --out=DIR       write BENCHMARKS.md, latency.svg and results.json into DIR
 *   --only=a,b      measure only these designs (murmur-memory, murmur-redis, murmur-redis-cluster, polling, redis-pubsub, socketio, http-floor)
 *   --profile=DIR   write CPU profiles of each server under test into DIR/<design>/
 *   --verbose       print each step as it is measured
 *   --render=FILE   measure nothing: write the report again from a results.json of an earlier run
 *
 * Exits 1 when an invariant or the harness failed (never for being slow).
 */
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));

function option(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function outputPaths(plan: Plan) {
  const out = option("out");
  if (out) {
    const dir = resolve(out);
    return { markdown: join(dir, "BENCHMARKS.md"), svg: join(dir, "latency.svg"), json: join(dir, "results.json") };
  }
  if (plan.mode === "quick") {
    const dir = join(tmpdir(), "murmur-bench-quick");
    return { markdown: join(dir, "BENCHMARKS.md"), svg: join(dir, "latency.svg"), json: join(dir, "results.json") };
  }
  return { markdown: join(REPO_ROOT, "BENCHMARKS.md"), svg: join(RESULTS_DIR, "latency.svg"), json: join(RESULTS_DIR, "results.json") };
}

async function main(): Promise<number> {
  const render = option("render");
  if (render) {
    const saved = JSON.parse(readFileSync(render, "utf8")) as BenchResults;
    const paths = outputPaths(saved.mode === "quick" ? QUICK : FULL);
    writeReport(saved, paths);
    formatInRepo(paths.json);
    console.log(`bench: wrote ${paths.markdown} and ${paths.svg} from ${render}`);
    return 0;
  }
  const plan = process.argv.includes("--quick") ? QUICK : FULL;
  const only = option("only")?.split(",") as SystemId[] | undefined;
  const systems = plan.systems.filter((id) => !only || only.includes(id));
  const started = Date.now();
  const deadline = started + plan.budgetMs;
  const machine = describeMachine();
  console.log(`bench (${plan.mode}): ${systems.join(", ")} on ${machine.cpus} cores, Node ${machine.node}, Redis ${machine.redis}`);
  const problems: string[] = [];
  const results: SystemResult[] = [];
  let cost: CostResults | undefined;
  let slowReader: BenchResults["slowReader"];
  const finish = () => {
    const bench: BenchResults = {
      mode: plan.mode,
      startedAt: new Date(started).toISOString(),
      seconds: (Date.now() - started) / 1000,
      machine,
      plan: { ...plan },
      systems: results,
      cost,
      slowReader,
      problems,
    };
    const paths = outputPaths(plan);
    writeReport(bench, paths);
    formatInRepo(paths.json);
    console.log(`bench: wrote ${paths.markdown}, ${paths.svg} and ${paths.json} in ${bench.seconds.toFixed(1)} s`);
    for (const problem of problems) console.error(`bench: problem: ${problem}`);
  };
  // Whatever happens, the run ends in time: it writes what it has, and children exit with it.
  setTimeout(async () => {
    problems.push(
      `the run was still going after ${plan.hardStopMs / 1000} s and was stopped; designs after ${results.at(-1)?.label ?? "none"} are missing`,
    );
    finish();
    await stopRedisProcesses();
    process.exit(2);
  }, plan.hardStopMs).unref();
  const pool = await SubscriberPool.start(plan.workers);
  try {
    for (const [index, id] of systems.entries()) {
      // A design may use what the designs after it do not need of their reserve.
      const t0 = Date.now();
      const until = deadline - plan.reserveMs * (systems.length - index - 1);
      const profileDir = option("profile") && resolve(option("profile") as string);
      const result = await runSystem(SYSTEM_SPECS[id], plan, pool, Math.max(until, t0 + plan.reserveMs / 2), problems, { profileDir });
      results.push(result);
      console.log(
        `  ${result.label}: ${((Date.now() - t0) / 1000).toFixed(1)} s${result.notes.length ? ` (${result.notes.join("; ")})` : ""}`,
      );
    }
  } finally {
    await pool.stop();
  }
  // The cloud cost model, through the real Lambda handlers (quick: a short session that checks the harness).
  if (!only) {
    const t0 = Date.now();
    cost = await measureCost({ quick: plan.mode === "quick" }).catch((error: unknown) => {
      problems.push(`the cost model failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    console.log(`  cost model: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // A client that stops reading: the default bound, then a bound above the load.
    const t1 = Date.now();
    const mb = plan.mode === "quick" ? 10 : 40;
    try {
      slowReader = { bounded: await runSlowReaderProbe(1024 * 1024, mb), unbounded: await runSlowReaderProbe(64 * 1024 * 1024, mb) };
    } catch (error) {
      problems.push(`the slow-reader probe failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    console.log(`  slow reader: ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  }
  finish();
  return problems.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
