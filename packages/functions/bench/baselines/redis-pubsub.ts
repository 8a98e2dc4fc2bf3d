import "../servers/count-commands.ts";
import { createServer, type ServerResponse } from "node:http";
import { Redis } from "ioredis";
import { madeUpThreads, serveBenchServer } from "../servers/serve.ts";
import { hasSession, listen, readWebhook, reply } from "./http-util.ts";

/**
 * Baseline (b): Redis pub/sub to SSE, the usual design. The webhook PUBLISHes each
 * event on the thread's channel; each SSE request joins the channel on ONE shared
 * subscriber connection (SUBSCRIBE on the first listener, UNSUBSCRIBE after the last)
 * and writes what arrives. Nothing is stored: a subscriber that is not connected at the
 * instant of publishing never sees the event, and there is no event id to resume from.
 */
const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const heartbeatMs = Number(process.env.BENCH_HEARTBEAT_MS ?? 15_000);
const publisher = new Redis(url);
const subscriber = new Redis(url);
// Failures show in the results (deliveries missing); ioredis would also print each one.
for (const client of [publisher, subscriber]) client.on("error", () => {});
const channel = (threadId: string) => `pubsub-bench:${threadId}`;
const listeners = new Map<string, { ready: Promise<unknown>; writers: Set<(message: string) => void> }>();
let streams = 0;

subscriber.on("message", (name: string, message: string) => {
  const entry = listeners.get(name);
  if (entry) for (const write of entry.writers) write(message);
});

async function join(name: string, write: (message: string) => void): Promise<void> {
  let entry = listeners.get(name);
  if (!entry) {
    entry = { ready: subscriber.subscribe(name), writers: new Set() };
    listeners.set(name, entry);
  }
  entry.writers.add(write);
  await entry.ready;
}

function leave(name: string, write: (message: string) => void): void {
  const entry = listeners.get(name);
  if (!entry?.writers.delete(write) || entry.writers.size > 0) return;
  listeners.delete(name);
  void subscriber.unsubscribe(name);
}

async function stream(threadId: string, res: ServerResponse): Promise<void> {
  const name = channel(threadId);
  const write = (message: string) => res.write(`data: ${message}\n\n`);
  streams++;
  const heartbeat = setInterval(() => res.write(": ping\n\n"), heartbeatMs);
  res.once("close", () => {
    streams--;
    clearInterval(heartbeat);
    leave(name, write);
  });
  await join(name, write);
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
    await Promise.all(body.events.map((event) => publisher.publish(channel(body.threadId), JSON.stringify(event))));
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
    publisher.disconnect();
    subscriber.disconnect();
  },
});
