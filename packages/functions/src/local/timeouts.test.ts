import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { testConfig } from "../testing/config.ts";
import { type LocalServer, startLocalServer } from "./start.ts";

// Slowloris: connections that never finish their request are closed within the
// configured time (Node's own default let one live 60 s and more), while a held SSE
// stream, a response and not a request, lives on.

const HEADERS_TIMEOUT_MS = 500;
const REQUEST_TIMEOUT_MS = 1_000;
/** Node checks its timeouts every tenth of the headers timeout (start.ts); the rest is this machine's scheduling. */
const SLACK_MS = 600;

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start() {
  const server = await startLocalServer(
    testConfig({
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      SSE_HEARTBEAT_MS: "200",
    }),
    { webDist: "/nonexistent" },
  );
  servers.push(server);
  return server;
}

/** Opens a raw connection, writes `bytes`, then nothing more; resolves how long the server took to close it, and what it answered. */
async function stall(server: LocalServer, bytes: string): Promise<{ closedAfterMs: number; answer: string }> {
  const { hostname, port } = new URL(server.url);
  const socket = connect(Number(port), hostname);
  let answer = "";
  socket.setEncoding("utf8").on("data", (chunk: string) => {
    answer += chunk;
  });
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const opened = performance.now();
  if (bytes) socket.write(bytes);
  await new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return { closedAfterMs: Math.round(performance.now() - opened), answer };
}

describe("read timeouts of the local server", () => {
  it("closes a connection that never finishes its headers within HTTP_HEADERS_TIMEOUT_MS", async () => {
    const server = await start();
    const [partial, silent] = await Promise.all([stall(server, "GET /api/health HTTP/1.1\r\nHost: murmur\r\nX-Slow: "), stall(server, "")]);
    console.log(
      `headers never finished: closed after ${partial.closedAfterMs} ms; silent: ${silent.closedAfterMs} ms (timeout ${HEADERS_TIMEOUT_MS} ms)`,
    );
    for (const { closedAfterMs } of [partial, silent]) {
      expect(closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
      expect(closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
    }
    expect(partial.answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it("closes a request whose body never arrives within HTTP_REQUEST_TIMEOUT_MS", async () => {
    const server = await start();
    // The webhook reads its body before anything else (its signature covers it), and is open to anyone.
    const head =
      "POST /api/webhook/chat-response HTTP/1.1\r\nHost: murmur\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
    const { closedAfterMs, answer } = await stall(server, head);
    console.log(`body never finished: closed after ${closedAfterMs} ms (timeout ${REQUEST_TIMEOUT_MS} ms)`);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
  });

  it("keeps a held stream open well past both timeouts", async () => {
    const server = await start();
    const post = (path: string, token?: string) =>
      fetch(`${server.url}/api${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: "{}",
      }).then((r) => r.json());
    const { token } = await post("/session");
    const { thread } = await post("/chats", token);
    const res = await fetch(`${server.url}/api/chats/sse/${thread.id}`, { headers: { Authorization: `Bearer ${token}` } });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const opened = performance.now();
    let chunks = 0;
    // Heartbeats every 200 ms drive the reads: the stream is read for 2.5 request timeouts.
    while (performance.now() - opened < 2.5 * REQUEST_TIMEOUT_MS) {
      const { done } = await reader.read();
      expect(done, "the stream ended").toBe(false);
      chunks++;
    }
    expect(chunks).toBeGreaterThan(5);
    await reader.cancel();
  });
});
