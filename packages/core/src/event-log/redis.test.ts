import { describe, expect, it } from "vitest";
import { UnavailableError } from "../errors/index.ts";
import { testRedisUrl, uniquePrefix } from "../testing/redis-server.ts";
import { describeEventLogContract } from "./contract.ts";
import { createRedisEventLog } from "./redis.ts";

describeEventLogContract("redis", async (options) =>
  createRedisEventLog({ url: testRedisUrl(), prefix: uniquePrefix(), blockMs: 2000, ...options }),
);

describe("redis adapter", () => {
  it("fails fast with a clear error when Redis is unreachable", async () => {
    const log = createRedisEventLog({ url: "redis://127.0.0.1:1", prefix: uniquePrefix(), commandTimeoutMs: 500 });
    const started = Date.now();
    await expect(log.createThread({ id: "t_1", owner: "s", createdAt: 1 })).rejects.toBeInstanceOf(UnavailableError);
    await expect(log.ping()).rejects.toThrow(/event log unreachable/);
    expect(Date.now() - started).toBeLessThan(5000);
    await log.close();
  });
});
