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

  it("wakes the shared blocking reader when a thread is added, without waiting out the block", async () => {
    const log = createRedisEventLog({ url: testRedisUrl(), prefix: uniquePrefix(), blockMs: 20_000 });
    const controller = new AbortController();
    try {
      const make = async (id: string) => {
        await log.createThread({ id, owner: "s", createdAt: 1 });
        return (await log.snapshot(id)).cursor;
      };
      const received: string[] = [];
      const follow = async (id: string, after: string) => {
        for await (const item of log.tail(id, after, controller.signal)) {
          if (item.kind === "events") received.push(...item.events.map((e) => e.event.id));
        }
      };
      void follow("t_a", await make("t_a"));
      await new Promise((r) => setTimeout(r, 200)); // the reader now blocks on t_a alone
      void follow("t_b", await make("t_b"));
      await new Promise((r) => setTimeout(r, 200)); // t_b's tail has caught up and joined the reader
      const started = Date.now();
      await log.append({ id: "e_b", threadId: "t_b", at: 1, type: "message.created", messageId: "m", role: "user", text: "hi" });
      while (!received.includes("e_b")) {
        if (Date.now() - started > 5000) throw new Error("not delivered: the reader waited out its block");
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      controller.abort();
      await log.close();
    }
  });
});
