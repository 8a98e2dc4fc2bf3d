import { describe, expect, it } from "vitest";
import { EVENT_LOG_UNAVAILABLE, REDIS_COMMANDS, REDIS_ERRORS } from "../../metrics/definitions.ts";
import { createMetricStore } from "../../metrics/store.ts";
import { measuredRunner } from "./command-metrics.ts";
import { APPEND } from "./scripts.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Redis command metrics", () => {
  it("count commands by script and their failures, and the seconds from the first failure to the next success", async () => {
    const metrics = createMetricStore();
    let down = true;
    const runner = measuredRunner(
      {
        run: async () => {
          if (down) throw new Error("connect ECONNREFUSED");
          return "ok";
        },
        ping: async () => {},
        async *scan() {},
        close: async () => {},
      },
      metrics,
    );
    await expect(runner.run(APPEND, [], [])).rejects.toThrow("ECONNREFUSED");
    await sleep(60);
    await expect(runner.run(APPEND, [], [])).rejects.toThrow("ECONNREFUSED");
    // An outage in progress already counts up to its last failure.
    const during = metrics.read(EVENT_LOG_UNAVAILABLE)[0]?.value ?? 0;
    expect(during).toBeGreaterThanOrEqual(0.05);
    await sleep(60);
    down = false;
    expect(await runner.run(APPEND, [], [])).toBe("ok");
    await runner.ping();
    const total = metrics.read(EVENT_LOG_UNAVAILABLE)[0]?.value ?? 0;
    expect(total).toBeGreaterThanOrEqual(0.11);
    expect(total).toBeLessThan(1);
    expect(metrics.read(REDIS_COMMANDS)).toEqual([
      { labels: { command: "script:append" }, value: 3 },
      { labels: { command: "ping" }, value: 1 },
    ]);
    expect(metrics.read(REDIS_ERRORS).find((s) => s.labels.command === "script:append")?.value).toBe(2);
    // Back up: nothing more accrues.
    await sleep(30);
    await runner.ping();
    expect(metrics.read(EVENT_LOG_UNAVAILABLE)[0]?.value).toBe(total);
  });
});
