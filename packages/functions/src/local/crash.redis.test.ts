import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRedisEventLog } from "@murmur/core/event-log";
import { freePort, type RedisProcess, startRedisProcess } from "@murmur/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The local server as `npm start` runs it, in a process of its own on a private Redis,
// killed in the middle of a reply: no reply stays streaming (I6).

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const LEASE_MS = 3_000;
let redis: RedisProcess;
let dataDir: string;
beforeAll(async () => {
  redis = await startRedisProcess();
  dataDir = mkdtempSync(join(tmpdir(), "murmur-crash-"));
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** `npm start` in a child process, on `port`; resolves once it answers. */
async function startServer(port: number, prefix: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      REDIS_URL: redis.url,
      MURMUR_KEY_PREFIX: prefix,
      MURMUR_DATA_DIR: dataDir,
      DEMO_PACE_MS: "200", // a reply of several seconds: time to kill it in the middle
      RUN_LEASE_MS: String(LEASE_MS),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`the server exited with ${code}`))));
  await expect
    .poll(
      () =>
        Promise.race([
          exited,
          fetch(`http://127.0.0.1:${port}/api/health`).then(
            (r) => r.status,
            () => 0,
          ),
        ]),
      { timeout: 30_000, interval: 100 },
    )
    .toBe(200);
  return child;
}

function api(port: number, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}/api${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: res.status === 304 ? null : await res.json() };
  };
}

const exit = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", () => resolve())));

describe("a server that dies in the middle of a reply (private Redis, server process)", () => {
  it("kill -9: once the lease lapses, the next touch ends the reply as abandoned, and sending again answers it", async () => {
    const port = await freePort();
    const prefix = `crash${Date.now()}`;
    let server = await startServer(port, prefix);
    const token = (await (await fetch(`http://127.0.0.1:${port}/api/session`, { method: "POST" })).json()).token as string;
    const call = api(port, token);
    const threadId = (await call("POST", "/chats", {})).body.thread.id as string;
    const assistant = async () =>
      (await call("GET", `/chats/${threadId}`)).body.state.messages.filter((m: { role: string }) => m.role === "assistant");
    expect((await call("POST", `/chats/${threadId}/send`, { messageId: "m_1", text: "a question worth a long answer" })).status).toBe(202);
    await expect.poll(async () => (await assistant())[0]?.text.length ?? 0, { timeout: 10_000, interval: 50 }).toBeGreaterThan(0);

    server.kill("SIGKILL");
    await exit(server);
    const killedAt = Date.now();
    server = await startServer(port, prefix);
    try {
      // Touching the thread (what any tab's request or idle check does) ends it once the lease lapsed.
      await expect
        .poll(async () => (await assistant())[0], { timeout: LEASE_MS + 10_000, interval: 250 })
        .toMatchObject({ status: "failed", error: { kind: "abandoned", retryable: true } });
      const endedAfter = Date.now() - killedAt;
      expect(endedAfter).toBeLessThan(LEASE_MS + 5_000);

      // The Retry the UI offers: the same message again starts the next attempt, which completes.
      const retry = await call("POST", `/chats/${threadId}/send`, { messageId: "m_1", text: "a question worth a long answer" });
      expect(retry.status).toBe(202);
      await expect
        .poll(async () => (await assistant()).map((m: { status: string }) => m.status), { timeout: 30_000, interval: 200 })
        .toEqual(["failed", "complete"]);
    } finally {
      server.kill("SIGKILL");
      await exit(server);
    }
  });

  it("SIGTERM: the server ends its own reply at once, retryably, and closes its streams with close and retry", async () => {
    const port = await freePort();
    const server = await startServer(port, `term${Date.now()}`);
    const token = (await (await fetch(`http://127.0.0.1:${port}/api/session`, { method: "POST" })).json()).token as string;
    const call = api(port, token);
    const threadId = (await call("POST", "/chats", {})).body.thread.id as string;
    const stream = await fetch(`http://127.0.0.1:${port}/api/chats/sse/${threadId}`, { headers: { Authorization: `Bearer ${token}` } });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    const readUntil = async (done: () => boolean) => {
      while (!done()) {
        const { value, done: end } = await reader.read();
        if (end) return;
        text += new TextDecoder().decode(value);
      }
    };
    expect((await call("POST", `/chats/${threadId}/send`, { messageId: "m_1", text: "please take your time" })).status).toBe(202);
    await readUntil(() => text.includes("event: message.delta"));
    server.kill("SIGTERM");
    await readUntil(() => false); // to the end of the stream
    await exit(server);
    expect(text).toContain("event: message.failed");
    const failed = JSON.parse(/event: message\.failed\ndata: (.*)\n/.exec(text)?.[1] ?? "{}");
    expect(failed).toMatchObject({ kind: "abandoned", retryable: true });
    expect(text).toMatch(/retry: \d+\nevent: close\ndata: \{"reason":"planned"\}\n\n$/);
  });

  it("on start-up: the restarted server ends the reply itself once its lease lapses, with no request touching the thread", async () => {
    const port = await freePort();
    const prefix = `sweep${Date.now()}`;
    let server = await startServer(port, prefix);
    const token = (await (await fetch(`http://127.0.0.1:${port}/api/session`, { method: "POST" })).json()).token as string;
    const call = api(port, token);
    const threadId = (await call("POST", "/chats", {})).body.thread.id as string;
    expect((await call("POST", `/chats/${threadId}/send`, { messageId: "m_1", text: "a question worth a long answer" })).status).toBe(202);
    // Read straight from Redis from here on: an API request would itself end the lapsed run.
    const log = createRedisEventLog({ url: redis.url, prefix });
    try {
      const reply = async () => (await log.snapshot(threadId)).state.messages.find((m) => m.role === "assistant");
      await expect.poll(async () => (await reply())?.text.length ?? 0, { timeout: 10_000, interval: 50 }).toBeGreaterThan(0);
      server.kill("SIGKILL");
      await exit(server);
      const killedAt = Date.now();
      server = await startServer(port, prefix);
      try {
        await expect
          .poll(reply, { timeout: LEASE_MS + 10_000, interval: 100 })
          .toMatchObject({ status: "failed", error: { kind: "abandoned", retryable: true } });
        const endedAfter = Date.now() - killedAt;
        // Within the lease and the sweep's second of slack, with no touch at all.
        expect(endedAfter).toBeGreaterThan(LEASE_MS - 2_000);
        expect(endedAfter).toBeLessThan(LEASE_MS + 4_000);
      } finally {
        server.kill("SIGKILL");
        await exit(server);
      }
    } finally {
      await log.close();
    }
  });
});
