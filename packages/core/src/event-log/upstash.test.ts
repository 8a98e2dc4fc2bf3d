import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnavailableError } from "../errors/index.ts";
import { testRedisUrl, uniquePrefix } from "../testing/redis-server.ts";
import { startUpstashRestServer, type UpstashRestServer } from "../testing/upstash-rest-server.ts";
import { describeEventLogContract } from "./contract.ts";
import { createBlockingTailer } from "./redis/blocking-reader.ts";
import { createUpstashEventLog } from "./upstash.ts";

let rest: UpstashRestServer;
beforeAll(async () => {
  rest = await startUpstashRestServer({ redisUrl: testRedisUrl(), token: "test-upstash-token" });
});
afterAll(async () => {
  await rest?.close();
});

// REST for everything, tails polling over REST.
describeEventLogContract("upstash (REST, polling tail)", async (options) =>
  createUpstashEventLog({ restUrl: rest.url, restToken: rest.token, prefix: uniquePrefix(), pollMinMs: 20, pollMaxMs: 200, ...options }),
);

// The cloud composition: writes over REST, tails blocking over TCP.
describeEventLogContract("upstash (REST writes, TCP blocking tail)", async (options) =>
  createUpstashEventLog({
    restUrl: rest.url,
    restToken: rest.token,
    prefix: uniquePrefix(),
    tailer: createBlockingTailer({ url: testRedisUrl(), blockMs: 2000 }),
    ...options,
  }),
);

describe("upstash adapter", () => {
  it("fails with a clear error when the REST endpoint is unreachable", async () => {
    const log = createUpstashEventLog({ restUrl: "http://127.0.0.1:1", restToken: "x", prefix: uniquePrefix() });
    await expect(log.createThread({ id: "t_1", owner: "s", createdAt: 1 })).rejects.toBeInstanceOf(UnavailableError);
    await log.close();
  });

  it("fails with a clear error for a wrong token", async () => {
    const log = createUpstashEventLog({ restUrl: rest.url, restToken: "wrong", prefix: uniquePrefix() });
    await expect(log.ping()).rejects.toThrow(/Unauthorized/);
    await log.close();
  });
});

describe("local Upstash REST server", () => {
  const client = () => new Redis({ url: rest.url, token: rest.token, retry: false });

  it("speaks the protocol @upstash/redis uses, base64 included", async () => {
    const redis = client();
    const key = `${uniquePrefix()}:k`;
    expect(await redis.set(key, "héllo ✓")).toBe("OK");
    expect(await redis.get(key)).toBe("héllo ✓");
    const pipeline = redis.pipeline();
    pipeline.incr(`${key}:n`);
    pipeline.incr(`${key}:n`);
    expect(await pipeline.exec()).toEqual([1, 2]);
    const tx = redis.multi();
    tx.set(`${key}:t`, "1");
    tx.get(`${key}:t`);
    expect(await tx.exec()).toEqual(["OK", 1]);
  });

  it("answers errors in Upstash's shape", async () => {
    const unauthorized = await fetch(rest.url, { method: "POST", body: '["PING"]' });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toEqual({ error: "Unauthorized" });
    const bad = await fetch(rest.url, { method: "POST", headers: { Authorization: `Bearer ${rest.token}` }, body: '["NOSUCHCOMMAND"]' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/^ERR unknown command/);
    const blocking = await fetch(rest.url, {
      method: "POST",
      headers: { Authorization: `Bearer ${rest.token}` },
      body: '["XREAD","BLOCK","100","STREAMS","x","0"]',
    });
    expect(await blocking.json()).toEqual({ error: "ERR XREAD with BLOCK is not supported over REST" });
  });
});
