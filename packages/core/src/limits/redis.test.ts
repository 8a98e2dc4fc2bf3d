import { afterAll, beforeAll } from "vitest";
import type { RedisEventLog } from "../event-log/redis/engine.ts";
import { createRedisEventLog } from "../event-log/redis.ts";
import { createUpstashEventLog } from "../event-log/upstash.ts";
import { testRedisUrl, uniquePrefix } from "../testing/redis-server.ts";
import { startUpstashRestServer, type UpstashRestServer } from "../testing/upstash-rest-server.ts";
import { describeLimiterContract } from "./contract.ts";
import { createRedisLimiter } from "./redis.ts";

// Each limiter runs over an event log's script runner, as the servers and functions wire it.
let rest: UpstashRestServer;
const logs: RedisEventLog[] = [];
beforeAll(async () => {
  rest = await startUpstashRestServer({ redisUrl: testRedisUrl(), token: "test-upstash-token" });
});
afterAll(async () => {
  await Promise.all(logs.splice(0).map((log) => log.close()));
  await rest?.close();
});

const over = (log: RedisEventLog, prefix: string, now: () => number) => {
  logs.push(log);
  return createRedisLimiter(log.scriptRunner, prefix, { now });
};

describeLimiterContract("redis (TCP)", async ({ now }) => {
  const prefix = uniquePrefix();
  return over(createRedisEventLog({ url: testRedisUrl(), prefix }), prefix, now);
});

describeLimiterContract("redis over Upstash's REST API", async ({ now }) => {
  const prefix = uniquePrefix();
  return over(createUpstashEventLog({ restUrl: rest.url, restToken: rest.token, prefix }), prefix, now);
});
