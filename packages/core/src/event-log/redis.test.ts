import { Redis } from "ioredis";
import { describe, expect, it, vi } from "vitest";
import { UnavailableError } from "../errors/index.ts";
import { testRedisUrl, uniquePrefix } from "../testing/redis-server.ts";
import { describeEventLogContract } from "./contract.ts";
import { createBlockingTailer } from "./redis/blocking-reader.ts";
import type { RawEntry } from "./redis/multiplexer.ts";
import { STREAMS_PER_READER } from "./redis/sharded.ts";
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
    const prefix = uniquePrefix();
    const name = `murmur-tail-${prefix.replaceAll(":", "-")}`;
    const log = createRedisEventLog({ url: testRedisUrl(), prefix, blockMs: 20_000, readerName: name });
    const admin = new Redis(testRedisUrl());
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
      /** The reader's connection as CLIENT LIST shows it: blocked in XREAD or not, and the bytes of its command's arguments. */
      const reader = async () => {
        const line = String(await admin.client("LIST"))
          .split("\n")
          .find((l) => l.includes(`name=${name} `));
        return { blocked: / flags=\w*b\w* .* cmd=xread /.test(line ?? ""), argBytes: Number(/ argv-mem=(\d+) /.exec(line ?? "")?.[1]) };
      };
      const wait = { timeout: 5000, interval: 10 };
      void follow("t_a", await make("t_a"));
      // The reader now blocks on t_a alone.
      const alone = await vi.waitFor(async () => {
        const { blocked, argBytes } = await reader();
        expect(blocked).toBe(true);
        return argBytes;
      }, wait);
      void follow("t_b", await make("t_b"));
      // t_b's tail has caught up and joined the reader: it blocks again, its XREAD naming t_b's stream too.
      await vi.waitFor(async () => {
        const { blocked, argBytes } = await reader();
        expect(blocked).toBe(true);
        expect(argBytes).toBeGreaterThan(alone);
      }, wait);
      const started = Date.now();
      await log.append({ id: "e_b", threadId: "t_b", at: 1, type: "message.created", messageId: "m", role: "user", text: "hi" });
      await vi.waitFor(() => expect(received, "not delivered: the reader waited out its block").toContain("e_b"), wait);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      controller.abort();
      await log.close();
      admin.disconnect();
    }
  });

  it("spreads many watched streams over readers of at most 256 streams each, and drops none", async () => {
    const url = testRedisUrl();
    const prefix = uniquePrefix();
    const admin = new Redis(url);
    const name = `murmur-tail-${prefix.replaceAll(":", "-")}`;
    const tailer = createBlockingTailer({ url, blockMs: 20_000, readerName: name });
    try {
      const count = 2 * STREAMS_PER_READER + 1;
      const received = new Map<string, string[]>();
      const unwatch = Array.from({ length: count }, (_, i) =>
        tailer.watch(`${prefix}:s${i}`, "0-0", (entries: readonly RawEntry[]) =>
          received.set(
            `${prefix}:s${i}`,
            entries.map((e) => e[0]),
          ),
        ),
      );
      const readers = async () =>
        ((await admin.client("LIST")) as string).split("\n").filter((line) => line.includes(`name=${name} `)).length;
      await expect.poll(readers, { timeout: 10_000, interval: 10 }).toBeGreaterThanOrEqual(3);
      expect(await readers()).toBe(3);
      // One stream in each reader: the first, the 257th and the last.
      const keys = [0, STREAMS_PER_READER, count - 1].map((i) => `${prefix}:s${i}`);
      const ids = await Promise.all(keys.map((key) => admin.xadd(key, "*", "e", "x")));
      await expect.poll(() => keys.filter((key) => !received.has(key)), { timeout: 5000, interval: 10 }).toEqual([]);
      expect(keys.map((key) => received.get(key))).toEqual(ids.map((id) => [id]));
      for (const stop of unwatch) stop();
    } finally {
      await tailer.close();
      await admin.del(...Array.from({ length: 2 * STREAMS_PER_READER + 1 }, (_, i) => `${prefix}:s${i}`));
      admin.disconnect();
    }
  });
});
