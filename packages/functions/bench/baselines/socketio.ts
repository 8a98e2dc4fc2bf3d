import "../servers/count-commands.ts";
import { createServer } from "node:http";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { madeUpThreads, serveBenchServer } from "../servers/serve.ts";
import { isSessionToken, listen, readWebhook, reply } from "./http-util.ts";

/**
 * Baseline (c): Socket.IO 4 with `@socket.io/redis-streams-adapter`, a peer that also
 * keeps a log. Each thread is a room; the webhook emits each event to the room. The
 * adapter XADDs every broadcast to one Redis stream that every node tails with XREAD
 * BLOCK, and connection state recovery replays what a client missed (within
 * `maxDisconnectionDuration` and the stream's `maxLen`). WebSocket transport only.
 */
const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const redis = new Redis(url);
redis.on("error", () => {}); // failures show in the results; ioredis would also print each one
// The adapter's own connections (duplicates) subscribe before they are ready, which fails
// ioredis's ready check once and reconnects; keep that from printing as an unhandled error.
const duplicate = redis.duplicate.bind(redis);
redis.duplicate = (...args: Parameters<Redis["duplicate"]>) => duplicate(...args).on("error", () => {});

const http = createServer(async (req, res) => {
  if (req.method === "POST" && req.url === "/api/webhook/chat-response") {
    const body = await readWebhook(req, res);
    if (!body) return;
    for (const event of body.events) io.to(body.threadId).emit("event", event);
    return reply(res, 200, { accepted: body.events.length });
  }
  reply(res, 404, { error: "not found" });
});

const io = new Server(http, {
  transports: ["websocket"],
  serveClient: false,
  // Retention comparable to Murmur's 10,000 events per thread: this stream is shared by every room.
  adapter: createAdapter(redis, { maxLen: 100_000 }),
  connectionStateRecovery: { maxDisconnectionDuration: 120_000, skipMiddlewares: true },
});
io.use(async (socket, next) => {
  next((await isSessionToken(socket.handshake.auth.token)) ? undefined : new Error("no session"));
});
io.on("connection", (socket) => {
  if (!socket.recovered) void socket.join(String(socket.handshake.query.thread));
});
const origin = await listen(http);

serveBenchServer({
  url: origin,
  connections: () => io.engine.clientsCount,
  threads: madeUpThreads(),
  async close() {
    io.disconnectSockets(true);
    await io.close();
    redis.disconnect();
  },
});
