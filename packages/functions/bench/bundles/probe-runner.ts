import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const PROBE_SOURCE = fileURLToPath(new URL("./probe.ts", import.meta.url));

/** Bundles probe.ts for plain `node`: no tsx in the measured process (its loader alone costs some 30 MB). */
export async function buildProbe(outDir: string): Promise<string> {
  const outfile = join(outDir, "probe.mjs");
  await build({ entryPoints: [PROBE_SOURCE], bundle: true, platform: "node", format: "esm", target: "node20", outfile, logLevel: "error" });
  return outfile;
}

/**
 * V8's limits as the Lambda Node.js runtime's bootstrap sets them for a memory size: new
 * space a tenth of it, semi space half of that, old space the rest (128 MB: 6 and 116).
 */
export function lambdaV8Flags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return ["--expose-gc", `--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

export interface ProbeRun {
  readonly probe: string;
  readonly job: string;
  readonly bundle: string;
  readonly args?: object;
  /** The whole environment of the child (nothing is inherited but PATH). */
  readonly env: Record<string, string>;
  readonly nodeArgs: readonly string[];
  readonly timeoutMs: number;
  /** Messages the child sends before its result (the held stream's `{op: "open"}`). */
  readonly onMessage?: (message: { op: string }) => void;
}

/** Children still running, so a run stopped early can end them. */
const running = new Set<ChildProcess>();

/** Runs one probe job in a fresh `node` and resolves with its result; kills the child past `timeoutMs`. */
export function runProbe<T>(run: ProbeRun): Promise<T> {
  const args = [...run.nodeArgs, run.probe, run.job, run.bundle, JSON.stringify(run.args ?? {})];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? "", ...run.env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  running.add(child);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`probe ${run.job} of ${run.bundle} took longer than ${run.timeoutMs} ms`));
    }, run.timeoutMs);
    child.on("message", (raw) => {
      const message = raw as { op: string; ok?: boolean; value?: T; error?: string };
      if (message.op !== "result") return run.onMessage?.(message);
      clearTimeout(timer);
      if (message.ok) resolve(message.value as T);
      else reject(new Error(`probe ${run.job}: ${message.error}`));
    });
    child.once("exit", (code, signal) => {
      running.delete(child);
      clearTimeout(timer);
      reject(new Error(`probe ${run.job} exited (${signal ?? code}) without a result`));
    });
  });
}

/** Kills every probe still running (a run stopped by its time limit). */
export function killProbes(): void {
  for (const child of running) child.kill("SIGKILL");
}
