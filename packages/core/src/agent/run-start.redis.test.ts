import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventLog } from "../event-log/event-log.ts";
import { createRedisEventLog } from "../event-log/redis.ts";
import type { ChatEvent } from "../events/schemas.ts";
import { createIngest } from "../ingest/ingest.ts";
import { retryingIngest } from "../ingest/retrying-ingest.ts";
import { type RedisProcess, startRedisProcess } from "../testing/redis-process.ts";
import { uniquePrefix } from "../testing/redis-server.ts";
import type { Agent } from "./agent.ts";
import { runEventIds, runIdsFor } from "./run-ids.ts";
import { runAgentTurn } from "./run-turn.ts";

// A run whose first read or write fails is never silent (point 5 of the reliability
// issue): against a private redis-server that is down when the run starts.

let redis: RedisProcess;
let down = false;
beforeAll(async () => {
  redis = await startRedisProcess();
});
const kill = async () => {
  await redis.kill();
  down = true;
};
const restart = async () => {
  if (!down) return;
  await redis.start();
  down = false;
};
afterAll(async () => {
  await redis?.stop();
});

const agent: Agent = {
  name: "scripted",
  async *reply() {
    yield "made it";
  },
};

/** The log, and what was asked of it: observed, not changed. */
function observed(log: EventLog) {
  const seen = { snapshots: 0, appended: [] as ChatEvent["type"][] };
  const proxy = new Proxy(log, {
    get(target, name) {
      if (name === "snapshot")
        return (threadId: string) => {
          seen.snapshots++;
          return target.snapshot(threadId);
        };
      if (name === "appendBatch")
        return (threadId: string, events: readonly ChatEvent[]) => {
          seen.appended.push(...events.map((e) => e.type));
          return target.appendBatch(threadId, events);
        };
      const value = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { log: proxy, seen };
}

async function setup() {
  const log = createRedisEventLog({ url: redis.url, prefix: uniquePrefix(), commandTimeoutMs: 300 });
  await log.createThread({ id: "t_1", owner: "s_1", createdAt: 1 });
  await log.append({ id: "msg:m_1", threadId: "t_1", at: 1, type: "message.created", messageId: "m_1", role: "user", text: "hello" });
  const { log: watched, seen } = observed(log);
  const deps = { log: watched, ingest: retryingIngest(createIngest(watched), 20_000), agent, deltaWindowMs: 5 };
  const types = async () => {
    const read = await log.read("t_1", null, 100);
    return read.kind === "events" ? read.events.map((e) => e.event) : [];
  };
  return { log, deps, seen, types };
}

describe("a run that cannot start at first", () => {
  it("retries its first read with back-off while Redis is down, and runs once it is back", async () => {
    const { log, deps, seen, types } = await setup();
    try {
      await kill();
      const run = runAgentTurn({ ...deps, startRetryMs: 20_000 }, { threadId: "t_1", userMessageId: "m_1", attempt: 0 });
      await expect.poll(() => seen.snapshots, { timeout: 10_000 }).toBeGreaterThan(2);
      await restart();
      expect(await run).toBe("completed");
      expect((await types()).map((e) => e.type)).toEqual(["message.created", "run.started", "message.delta", "message.completed"]);
    } finally {
      await restart();
      await log.close();
    }
  }, 30_000);

  it("ends with a retryable message.failed (unavailable) once its start retries run out", async () => {
    const { log, deps, seen, types } = await setup();
    try {
      await kill();
      const run = runAgentTurn({ ...deps, startRetryMs: 500 }, { threadId: "t_1", userMessageId: "m_1", attempt: 0 });
      // The start gave up; the failure waits for a store that takes writes.
      await expect.poll(() => seen.appended.includes("message.failed"), { timeout: 10_000 }).toBe(true);
      await restart();
      expect(await run).toBe("failed");
      const { runId } = await runIdsFor("t_1", "m_1");
      expect((await types()).slice(1)).toMatchObject([
        { type: "run.started", id: runEventIds.started(runId) },
        { type: "message.failed", runId, kind: "unavailable", retryable: true },
      ]);
    } finally {
      await restart();
      await log.close();
    }
  }, 30_000);
});
