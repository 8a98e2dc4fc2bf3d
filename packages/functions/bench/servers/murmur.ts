import "./count-commands.ts";
import { newThreadId } from "@murmur/core/event-log";
import { startLocalServer } from "../../src/local/start.ts";
import { testConfig } from "../../src/testing/config.ts";
import { SESSION_SECRET, WEBHOOK_SECRET } from "../shared.ts";
import { serveBenchServer } from "./serve.ts";

/**
 * Murmur under test: the local server exactly as `npm start` composes it, with the event
 * log that `BENCH_REDIS_URL` (as `REDIS_URL`) or `BENCH_REDIS_CLUSTER_NODES` (as
 * `REDIS_CLUSTER_NODES`) selects (memory when neither is set). Run as a child of the benchmark.
 */
const env = process.env;
const config = testConfig({
  SESSION_SECRET,
  WEBHOOK_SECRET,
  HOST: "127.0.0.1",
  PORT: "0",
  SSE_HEARTBEAT_MS: env.BENCH_HEARTBEAT_MS ?? "15000",
  // Every subscriber of the benchmark is one session: what the session limits guard against.
  LIMIT_STREAMS_PER_SESSION: "0",
  ...(env.BENCH_REDIS_URL ? { REDIS_URL: env.BENCH_REDIS_URL, MURMUR_KEY_PREFIX: "murmur-bench" } : {}),
  ...(env.BENCH_REDIS_CLUSTER_NODES ? { REDIS_CLUSTER_NODES: env.BENCH_REDIS_CLUSTER_NODES, MURMUR_KEY_PREFIX: "murmur-bench" } : {}),
});
// Its metrics listener too: the bench reads the server's own delivery latency there (server-latency.ts).
const server = await startLocalServer(config, { webDist: "/nonexistent", observability: { metricsPort: 0 } });

serveBenchServer({
  url: server.url,
  metricsUrl: server.metricsUrl,
  connections: () => server.deps.streams.current,
  async threads(owner, count) {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 200) {
      // Ids as the app makes them: they carry the owner's hash tag (a Redis Cluster needs it).
      const batch = Array.from({ length: Math.min(200, count - i) }, () => newThreadId(owner));
      await Promise.all(batch.map((id) => server.deps.log.createThread({ id, owner, createdAt: Date.now() })));
      ids.push(...batch);
    }
    return ids;
  },
  close: () => server.close(),
});
