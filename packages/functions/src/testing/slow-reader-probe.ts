import { spawn } from "node:child_process";
import { connect, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { startLocalServer } from "../local/start.ts";
import { testConfig } from "./config.ts";

/**
 * What a server holds for a client that stopped reading: a local server (memory mode) in
 * this process, one stream that reads nothing and one that reads everything, and
 * `PROBE_MB` megabytes of 50 KB deltas pushed through their thread, each once the reading
 * client has taken the last. Run by the slow-reader test and by `npm run bench` (with the
 * bound and with a bound larger than the load, i.e. none), always in a process of its own
 * started with `--expose-gc`, so its RSS is the server's and nothing else's.
 *
 * The log keeps only the last 100 events (`EVENT_LOG_MAX_EVENTS`), so what RSS keeps
 * beyond a few megabytes is what the server queued for its clients.
 */
export interface SlowReaderResult {
  /** `SSE_MAX_BUFFER_BYTES` of the run. */
  readonly boundBytes: number;
  /** Bytes pushed through the thread. */
  readonly pushedBytes: number;
  /** Bytes the reading client received (all of it: the slow one delays nobody). */
  readonly fastBytes: number;
  /** Bytes the reading client had received when the slow stream was let go (null: never). */
  readonly slowClosedAfterBytes: number | null;
  /** RSS and `arrayBuffers` after minus before, both after a full GC, with the slow socket still open. */
  readonly rssGrowthBytes: number;
  readonly arrayBufferGrowthBytes: number;
}

const DELTA_BYTES = 50 * 1024;

async function probe(boundBytes: number, pushMb: number): Promise<SlowReaderResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("slow-reader probe: run with --expose-gc");
  const server = await startLocalServer(testConfig({ SSE_MAX_BUFFER_BYTES: String(boundBytes), EVENT_LOG_MAX_EVENTS: "100" }), {
    webDist: "/nonexistent",
  });
  try {
    const { deps, url } = server;
    const port = Number(new URL(url).port);
    const { token } = (await (await fetch(`${url}/api/session`, { method: "POST" })).json()) as { token: string };
    const owner = (await deps.sessions.verify(token)).sessionId;
    const threadId = "t_slowreader";
    await deps.log.createThread({ id: threadId, owner, createdAt: Date.now() });
    const open = (onData?: (chunk: Buffer) => void): Socket => {
      const socket = connect(port, "127.0.0.1", () =>
        socket.write(
          `GET /api/chats/sse/${threadId} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`,
        ),
      );
      if (onData) socket.on("data", onData);
      return socket;
    };
    const slow = open();
    slow.pause();
    let fastBytes = 0;
    let waiter: { bytes: number; resolve: () => void } | null = null;
    const fast = open((chunk) => {
      fastBytes += chunk.length;
      if (waiter && fastBytes >= waiter.bytes) waiter.resolve();
    });
    const received = (bytes: number) =>
      fastBytes >= bytes ? Promise.resolve() : new Promise<void>((resolve) => (waiter = { bytes, resolve }));
    const deadline = Date.now() + 5_000;
    while (deps.streams.current < 2) {
      if (Date.now() > deadline) throw new Error("slow-reader probe: the two streams did not open");
      await new Promise((r) => setTimeout(r, 10));
    }
    gc();
    const before = process.memoryUsage();
    const text = "x".repeat(DELTA_BYTES);
    const deltas = Math.ceil((pushMb * 1024 * 1024) / DELTA_BYTES);
    let slowClosedAfterBytes: number | null = null;
    for (let seq = 0; seq < deltas; seq++) {
      const start = fastBytes;
      await deps.ingest(threadId, [{ id: `r:d:${seq}`, threadId, at: 1, type: "message.delta", runId: "r", messageId: "a", seq, text }]);
      await received(start + text.length);
      if (slowClosedAfterBytes === null && deps.streams.current < 2) slowClosedAfterBytes = fastBytes;
    }
    gc();
    await new Promise((r) => setTimeout(r, 50));
    gc();
    const after = process.memoryUsage();
    slow.destroy();
    fast.destroy();
    return {
      boundBytes,
      pushedBytes: deltas * DELTA_BYTES,
      fastBytes,
      slowClosedAfterBytes,
      rssGrowthBytes: after.rss - before.rss,
      arrayBufferGrowthBytes: after.arrayBuffers - before.arrayBuffers,
    };
  } finally {
    await server.close();
  }
}

const file = fileURLToPath(import.meta.url);

/** Runs the probe in a process of its own; rejects if it fails or takes more than a minute. */
export function runSlowReaderProbe(boundBytes: number, pushMb = 40): Promise<SlowReaderResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", file], {
      // glibc gives freed memory back at once (large blocks mmapped, heap trimmed), so RSS
      // after a GC is what the process holds rather than what it once held.
      env: {
        ...process.env,
        PROBE_BOUND_BYTES: String(boundBytes),
        PROBE_MB: String(pushMb),
        MALLOC_MMAP_THRESHOLD_: "16384",
        MALLOC_TRIM_THRESHOLD_: "0",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`the slow-reader probe exited with ${code}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1) ?? "") as SlowReaderResult);
    });
  });
}

if (process.argv[1] === file) {
  probe(Number(process.env.PROBE_BOUND_BYTES), Number(process.env.PROBE_MB ?? 40)).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
