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
  /** Kills the server at once (SIGKILL): no goodbye to clients, no final save. */
  kill(): Promise<void>;
  /** Starts it again on the same port, with the same data directory. */
  start(): Promise<void>;
  /** Kills it and removes its data. */
  stop(): Promise<void>;
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
 * Starts `redis-server` on a free port with append-only persistence fsynced on every
 * write, so a kill loses nothing that was acknowledged. `args` go on its command line
 * (e.g. {@link REDIS_WITHOUT_CLIENT}).
 */
export async function startRedisProcess(options: { args?: readonly string[] } = {}): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "murmur-redis-"));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const start = async () => {
    const proc = spawn(
      "redis-server",
      [
        ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir],
        ...(options.args ?? []),
      ],
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
        proc.once("error", failed);
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
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
