import "../servers/count-commands.ts";
import { createServer } from "node:http";
import type { Socket } from "node:net";
import { Redis } from "ioredis";
import { madeUpThreads, serveBenchServer } from "../servers/serve.ts";
import { hasSession, listen, readWebhook, reply } from "./http-util.ts";

/**
 * Baseline (a): polling, the design Murmur replaces. The webhook appends each event to
 * the thread's Redis stream (XADD, trimmed to about 10,000); clients GET
 * `/api/poll/:threadId?after=<id>` every 1.5 s over a kept-alive connection and get
 * what is newer, up to a page (one XRANGE per poll, whether or not anything is new).
 * `after=$` answers only the current cursor (a client's first poll).
 */
const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const PAGE = 1000;
const redis = new Redis(url);
redis.on("error", () => {}); // failures show in the results; ioredis would also print each one
const key = (threadId: string) => `poll-bench:${threadId}`;
/** Connections that have polled: the subscribers held (the publisher's connections are not). */
const pollers = new Set<Socket>();

const server = createServer(async (req, res) => {
  const target = new URL(req.url ?? "/", "http://localhost");
  if (req.method === "GET" && target.pathname.startsWith("/api/poll/")) {
    if (!(await hasSession(req))) return reply(res, 401, { error: "no session" });
    const socket = req.socket;
    if (!pollers.has(socket)) {
      pollers.add(socket);
      socket.once("close", () => pollers.delete(socket));
    }
    const stream = key(target.pathname.slice("/api/poll/".length));
    const after = target.searchParams.get("after") || "0-0";
    // "$": only where the thread is now (a client's first poll, like a snapshot's cursor).
    const entries = (
      after === "$" ? await redis.xrevrange(stream, "+", "-", "COUNT", 1) : await redis.xrange(stream, `(${after}`, "+", "COUNT", PAGE)
    ) as [string, string[]][];
    const cursor = entries.at(-1)?.[0] ?? (after === "$" ? "0-0" : after);
    if (after === "$") entries.length = 0;
    const body = `{"cursor":"${cursor}","more":${entries.length === PAGE},"events":[${entries.map(([, fields]) => fields[1]).join(",")}]}`;
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    return res.end(body);
  }
  if (req.method === "POST" && target.pathname === "/api/webhook/chat-response") {
    const body = await readWebhook(req, res);
    if (!body) return;
    const stream = key(body.threadId);
    await Promise.all(body.events.map((event) => redis.xadd(stream, "MAXLEN", "~", 10_000, "*", "e", JSON.stringify(event))));
    return reply(res, 200, { accepted: body.events.length });
  }
  reply(res, 404, { error: "not found" });
});
server.keepAliveTimeout = 30_000;
const origin = await listen(server);

serveBenchServer({
  url: origin,
  connections: () => pollers.size,
  threads: madeUpThreads(),
  async close() {
    server.closeAllConnections();
    server.close();
    redis.disconnect();
  },
});
