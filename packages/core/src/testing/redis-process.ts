import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

/** A private `redis-server` that a test may kill and start again on the same port and data. */
export interface RedisProcess {
  readonly url: string;
  readonly port: number;
  /** The server's process id while it runs (null while killed). */
  readonly pid: number | null;
  /** Kills the server at once (SIGKILL): no goodbye to clients, no final save. */
  kill(): Promise<void>;
  /** Starts it again on the same port, with the same data directory. */
  start(): Promise<void>;
  /** Kills it and removes its data. */
  stop(): Promise<void>;
}

export interface RedisProcessOptions {
  /** `always` (default): append-only, fsynced on every write, so a kill loses nothing acknowledged. `none`: no persistence. */
  readonly persistence?: "always" | "none";
  /** More `redis-server` arguments, e.g. `--cluster-enabled yes`. */
  readonly args?: readonly string[];
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Why a Redis tool could not be run, saying what to install (the suites fail, never skip, without it). */
export function missingTool(tool: string, cause: unknown): Error {
  const code = (cause as { code?: string } | null)?.code;
  if (code !== "ENOENT") return new Error(`${tool} failed`, { cause });
  return new Error(
    `${tool} is not on PATH: install Redis 7 (e.g. apt-get install redis-server, which brings redis-server and redis-cli); the Redis suites start private servers with it and fail, never skip, without it`,
    { cause },
  );
}

/**
 * Redis as unkind as a hosted one: `CLIENT` gone altogether (renamed away), or every
 * command allowed but those Upstash does not document that Murmur could use
 * (`CLIENT UNBLOCK`), refused by ACL.
 */
export const REDIS_WITHOUT_CLIENT: readonly string[] = ["--rename-command", "CLIENT", ""];
export const REDIS_WITHOUT_CLIENT_UNBLOCK: readonly string[] = [
  "--user",
  "default",
  "on",
  "nopass",
  "~*",
  "&*",
  "+@all",
  "-client|unblock",
];

/**
 * Starts `redis-server` on a free port in a fresh data directory (by default with
 * append-only persistence fsynced on every write, so a kill loses nothing that was
 * acknowledged). `args` go on its command line (e.g. {@link REDIS_WITHOUT_CLIENT}).
 */
export async function startRedisProcess(options: RedisProcessOptions = {}): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "murmur-redis-"));
  const url = `redis://127.0.0.1:${port}`;
  const persistence = options.persistence === "none" ? ["--appendonly", "no"] : ["--appendonly", "yes", "--appendfsync", "always"];
  let child: ChildProcess | null = null;

  const start = async () => {
    const proc = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--dir", dir, ...(options.args ?? [])],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    child = proc;
    // Ready once its log says so (the port is bound and the append-only file loaded);
    // failed if it exits or cannot be spawned first. The log is drained until it exits.
    let log = "";
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        const failed = (cause: unknown) => reject(new Error(`redis-server did not start on ${port}`, { cause }));
        proc.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
          log = (log + chunk).slice(-10_000);
          if (log.includes("Ready to accept connections")) resolve();
        });
        proc.once("error", (error) => reject(missingTool("redis-server", error)));
        proc.once("exit", (code) => failed(new Error(`exited with ${code}: ${log.slice(-500)}`)));
        timer = setTimeout(() => failed(new Error(`not ready after 10 s: ${log.slice(-500)}`)), 10_000);
      });
    } finally {
      clearTimeout(timer);
    }
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {});
    try {
      await probe.connect();
      await probe.ping();
    } finally {
      probe.disconnect();
    }
  };

  const kill = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGKILL");
    await exited;
  };

  await start();
  return {
    url,
    port,
    get pid() {
      return child?.pid ?? null;
    },
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
