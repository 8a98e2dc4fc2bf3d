import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { withTimeout } from "./shared.ts";

/** Open files wanted by every child: 10,000 sockets and then some. */
export const FD_LIMIT = 65_536;
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A message over the IPC channel: `op` names it. */
export interface ChildMessage {
  readonly op: string;
  readonly [key: string]: unknown;
}

/** A child process of the benchmark (a server under test or a subscriber worker), driven over IPC. */
export interface BenchChild {
  readonly name: string;
  readonly pid: number;
  /** The child's first message, `{op: "ready", ...}`. */
  readonly ready: ChildMessage;
  /** Sends `{op, id, ...payload}` and resolves with the child's answer; `op` and `id` are reserved, not payload names. */
  request<T>(op: string, payload?: object, timeoutMs?: number): Promise<T>;
  /** Listens to messages the child sends on its own (not answers). */
  onMessage(listener: (message: ChildMessage) => void): void;
  /** Asks the child to exit, and kills it if it has not within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts `entry` (TypeScript, through tsx) in its own process with the open-file limit
 * raised for that process only: `bash -c 'ulimit -n …; exec node …'`, so the shell that
 * runs the benchmark keeps its own limit. Where the hard limit is lower (a container
 * without CAP_SYS_RESOURCE), the soft limit is raised to the hard one.
 */
export async function launchChild(
  name: string,
  entry: string,
  env: Record<string, string> = {},
  nodeArgs: readonly string[] = [],
): Promise<BenchChild> {
  const script = `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
  const proc = spawn("bash", ["-c", script, process.execPath, "--expose-gc", ...nodeArgs, "--import", "tsx", entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const listeners: ((message: ChildMessage) => void)[] = [];
  let nextId = 1;
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  void exited.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${name} exited`));
    pending.clear();
  });
  const ready = new Promise<ChildMessage>((resolve, reject) => {
    proc.once("exit", (code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
    proc.on("message", (raw) => {
      const message = raw as ChildMessage & { id?: number; ok?: boolean; value?: unknown; error?: string };
      if (message.op === "ready") return resolve(message);
      if (message.op === "reply" && typeof message.id === "number") {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.ok) waiter?.resolve(message.value);
        else waiter?.reject(new Error(`${name}: ${message.error}`));
        return;
      }
      for (const listener of listeners) listener(message);
    });
  });
  const first = await withTimeout(ready, 30_000, `${name} start`).catch((error: unknown) => {
    proc.kill("SIGKILL");
    throw error;
  });
  return {
    name,
    pid: Number(first.pid ?? proc.pid),
    ready: first,
    request<T>(op: string, payload: object = {}, timeoutMs = 60_000) {
      const id = nextId++;
      const answer = new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      });
      if (!proc.connected) return Promise.reject(new Error(`${name} is not running`));
      proc.send({ ...payload, op, id });
      return withTimeout(answer, timeoutMs, `${name} ${op}`).finally(() => pending.delete(id));
    },
    onMessage(listener) {
      listeners.push(listener);
    },
    async stop(timeoutMs = 10_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      if (proc.connected) proc.send({ op: "exit" });
      await withTimeout(exited, timeoutMs, `${name} exit`).catch(() => {
        proc.kill("SIGKILL");
        return exited;
      });
    },
  };
}
