import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../local/main.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** `npm start`'s server in a process of its own, so that what it uses (RSS) is its alone. */
export interface LocalProcess {
  readonly url: string;
  readonly pid: number;
  /** Its resident set size now, in MB (Linux: /proc). */
  rssMb(): number;
  /** SIGTERM, as `npm start` is stopped; resolves once it exited. */
  stop(): Promise<void>;
}

/** Starts `packages/functions/src/local/main.ts` with `env` on a free port; resolves once its banner names its URL. */
export async function startLocalProcess(env: Record<string, string>): Promise<LocalProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "murmur-process-"));
  const child: ChildProcess = spawn(
    process.execPath,
    [...(process.env.FLOOD_PROF ? ["--cpu-prof", "--cpu-prof-dir=/tmp/wtl/prof"] : []), "--import", "tsx", MAIN],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", MURMUR_DATA_DIR: dataDir, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stderr?.setEncoding("utf8").on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner after 30 s:\n${output}`)), 30_000);
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      keep(chunk);
      const match = /URL\s+(http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${output}`));
    });
  });
  const pid = child.pid as number;
  return {
    url,
    pid,
    rssMb() {
      const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
      return Math.round(kb / 102.4) / 10;
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A prober in a process of its own, so that the load a test makes does not delay its own measurement. */
export interface HealthProbe {
  /** Latencies so far, ms, and how many answers were not 200. */
  readonly samples: number[];
  readonly failed: () => number;
  stop(): Promise<void>;
}

/** Asks `GET {url}/api/health` one request after another, `everyMs` apart, from another process. */
export function probeHealth(url: string, everyMs: number): HealthProbe {
  const script = `
    const url = process.argv[1];
    const every = Number(process.argv[2]);
    for (;;) {
      const started = performance.now();
      const status = await fetch(url).then(async (r) => { await r.arrayBuffer(); return r.status; }, () => 0);
      console.log(JSON.stringify({ ms: performance.now() - started, status }));
      await new Promise((r) => setTimeout(r, every));
    }`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, `${url}/api/health`, String(everyMs)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const samples: number[] = [];
  let failed = 0;
  let buffer = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      const { ms, status } = JSON.parse(line) as { ms: number; status: number };
      samples.push(ms);
      if (status !== 200) failed++;
    }
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    samples,
    failed: () => failed,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
