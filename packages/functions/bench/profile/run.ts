import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { withSection } from "../bundles/section.ts";
import type { BenchResults, SystemId } from "../results.ts";
import { PROFILE_HEADING, profileSection } from "./section.ts";
import { mainProfile, summarizeProfile } from "./summarize.ts";

/**
 * `npm run bench:profile`: the bench's full plan for Murmur's two single-node designs,
 * each server under `--cpu-prof`, then where their CPU went, per delivery, written into
 * BENCHMARKS.md as section 9 (which `npm run bench` keeps). `--quick` for a smoke test
 * that writes to a temporary folder only.
 */
const DESIGNS: readonly SystemId[] = ["murmur-memory", "murmur-redis"];
const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const BENCHMARKS = join(REPO_ROOT, "BENCHMARKS.md");

function main(): number {
  const quick = process.argv.includes("--quick");
  const work = mkdtempSync(join(tmpdir(), "murmur-profile-"));
  try {
    const profiles = join(work, "profiles");
    const out = join(work, "out");
    const bench = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        fileURLToPath(new URL("../run.ts", import.meta.url)),
        ...(quick ? ["--quick"] : []),
        `--only=${DESIGNS.join(",")}`,
        `--profile=${profiles}`,
        `--out=${out}`,
      ],
      { stdio: "inherit" },
    );
    if (bench.status !== 0) console.error(`bench:profile: the bench exited with ${bench.status}; summarizing what it wrote`);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as BenchResults;
    const runs = results.systems
      .filter((s) => existsSync(join(profiles, s.id, "ladders")))
      .map((system) => ({ system, summary: summarizeProfile(mainProfile(join(profiles, system.id, "ladders"))) }));
    if (runs.length === 0) throw new Error("no profile was written");
    const section = profileSection(runs, results.startedAt);
    if (quick) {
      const path = join(tmpdir(), "murmur-profile-quick.md");
      writeFileSync(path, `${section}\n`);
      console.log(`bench:profile: wrote ${path}`);
    } else {
      writeFileSync(BENCHMARKS, withSection(readFileSync(BENCHMARKS, "utf8"), PROFILE_HEADING, section));
      console.log(`bench:profile: wrote section 9 of ${BENCHMARKS}`);
    }
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

process.exit(main());
