import { execFileSync } from "node:child_process";
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import type { MachineInfo } from "./results.ts";

/** The machine the run is on, from the os module (and `redis-server --version`). */
export function describeMachine(): MachineInfo {
  const cores = cpus();
  let redis = "not found";
  try {
    redis = /v=(\S+)/.exec(execFileSync("redis-server", ["--version"], { encoding: "utf8" }))?.[1] ?? "unknown";
  } catch {}
  let fdLimit = "unknown";
  try {
    fdLimit = execFileSync("bash", ["-c", "echo $(ulimit -Sn) soft, $(ulimit -Hn) hard"], { encoding: "utf8" }).trim();
  } catch {}
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${platform()} ${release()}`,
    redis,
    fdLimit,
    load: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}
