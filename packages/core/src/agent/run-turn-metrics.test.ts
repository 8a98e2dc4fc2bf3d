import { describe, expect, it } from "vitest";
import { createMemoryEventLog } from "../event-log/memory.ts";
import { createIngest } from "../ingest/ingest.ts";
import { AGENT_FIRST_DELTA, AGENT_RUNS } from "../metrics/definitions.ts";
import { createMetricStore } from "../metrics/store.ts";
import { runAgentTurn } from "./run-turn.ts";

describe("a run's trace and metrics", () => {
  it("puts the send's request id on every event of the reply, and counts the run and its first delta", async () => {
    const log = createMemoryEventLog();
    const metrics = createMetricStore();
    const ingest = createIngest(log, { metrics });
    await log.createThread({ id: "t_1", owner: "s", createdAt: 0 });
    await ingest("t_1", [{ id: "msg:m_1", threadId: "t_1", at: 0, type: "message.created", messageId: "m_1", role: "user", text: "hi" }]);
    const agent = {
      name: "scripted",
      async *reply() {
        yield "one ";
        yield "two";
      },
    };
    const request = { threadId: "t_1", userMessageId: "m_1", attempt: 0, trace: { requestId: "req-1" } };
    expect(await runAgentTurn({ log, ingest, agent, deltaWindowMs: 0, metrics }, request)).toBe("completed");
    expect(await runAgentTurn({ log, ingest, agent, deltaWindowMs: 0, metrics }, request)).toBe("duplicate");
    const read = await log.read("t_1", null, 100);
    const reply = read.kind === "events" ? read.events.map((e) => e.event).filter((e) => e.type !== "message.created") : [];
    expect(reply.map((e) => e.type)).toEqual(["run.started", "message.delta", "message.completed"]);
    for (const event of reply) expect(event.trace).toBe("req-1");
    expect(metrics.read(AGENT_RUNS)).toEqual([
      { labels: { outcome: "completed" }, value: 1 },
      { labels: { outcome: "duplicate" }, value: 1 },
    ]);
    expect(metrics.readHistogram(AGENT_FIRST_DELTA)[0]?.count).toBe(1);
  });
});
