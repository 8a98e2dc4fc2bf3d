import { createServer, type ServerResponse } from "node:http";
import { madeUpThreads, serveBenchServer } from "../servers/serve.ts";
import { hasSession, listen, readWebhook, reply } from "./http-util.ts";

/**
 * Baseline (d): the floor of this stack. A minimal `node:http` SSE server with no log and
 * no broker: the webhook encodes each event once, as one shared pre-encoded buffer, and
 * writes it to every connection of the thread: one socket write per event per
 * connection, the least any design that delivers events one by one does. Nothing is
 * stored and nothing resumes; per held connection nothing but node:http's own state.
 */
const heartbeatMs = Number(process.env.BENCH_HEARTBEAT_MS ?? 15_000);
const threads = new Map<string, Set<ServerResponse>>();
let streams = 0;

// One heartbeat timer for every connection, as the floor would have it.
setInterval(() => {
  const ping = Buffer.from(": ping\n\n");
  for (const connections of threads.values()) for (const res of connections) res.write(ping);
}, heartbeatMs).unref();

function stream(threadId: string, res: ServerResponse): void {
  let connections = threads.get(threadId);
  if (!connections) {
    connections = new Set();
    threads.set(threadId, connections);
  }
  const set = connections;
  set.add(res);
  streams++;
  res.once("close", () => {
    streams--;
    set.delete(res);
    if (set.size === 0) threads.delete(threadId);
  });
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
  res.write(": subscribed\n\n");
}

const server = createServer(async (req, res) => {
  const path = req.url?.split("?")[0] ?? "";
  if (req.method === "GET" && path.startsWith("/api/sse/")) {
    if (!(await hasSession(req))) return reply(res, 401, { error: "no session" });
    return stream(path.slice("/api/sse/".length), res);
  }
  if (req.method === "POST" && path === "/api/webhook/chat-response") {
    const body = await readWebhook(req, res);
    if (!body) return;
    const connections = threads.get(body.threadId);
    if (connections) {
      for (const event of body.events) {
        const frame = Buffer.from(`data: ${JSON.stringify(event)}\n\n`); // encoded once for all connections
        for (const connection of connections) connection.write(frame);
      }
    }
    return reply(res, 200, { accepted: body.events.length });
  }
  reply(res, 404, { error: "not found" });
});
const origin = await listen(server);

serveBenchServer({
  url: origin,
  connections: () => streams,
  threads: madeUpThreads(),
  async close() {
    server.closeAllConnections();
    server.close();
  },
});
