import { type Agent, planRun, type RunTurnDeps, runEventIds, runIdsFor } from "@murmur/core/agent";
import { createMemoryEventLog } from "@murmur/core/event-log";
import { createIngest } from "@murmur/core/ingest";
import { describe, expect, it, vi } from "vitest";
import { deliverAgentRun, parseAgentPayload } from "./agent-delivery.ts";

async function setup(completion: Agent["completion"] = "inline") {
  const log = createMemoryEventLog();
  const ingest = createIngest(log);
  const reply = vi.fn(async function* () {
    yield "hi";
  });
  const deps: RunTurnDeps = { log, ingest, agent: { name: "scripted", completion, reply }, deltaWindowMs: 0 };
  await log.createThread({ id: "t_1", owner: "s_1", createdAt: 0 });
  await ingest("t_1", [{ id: "msg:m_1", threadId: "t_1", at: 0, type: "message.created", messageId: "m_1", role: "user", text: "hello" }]);
  const { threadId, userMessageId, attempt } = await planRun(log, "t_1", "m_1");
  const delivery = { threadId, userMessageId, attempt };
  const { runId, messageId } = await runIdsFor("t_1", "m_1");
  /** What a delivery that started the reply `ageMs` ago and never ended left behind. */
  const startedAgo = (ageMs: number) =>
    ingest("t_1", [
      {
        id: runEventIds.started(runId),
        threadId: "t_1",
        at: Date.now() - ageMs,
        type: "run.started",
        runId,
        messageId,
        replyTo: "m_1",
        agent: "scripted",
      },
    ]);
  const complete = () =>
    ingest("t_1", [
      { id: runEventIds.completed(runId), threadId: "t_1", at: Date.now(), type: "message.completed", runId, messageId, text: "hi" },
    ]);
  const status = async () => (await log.snapshot("t_1")).state.messages.find((m) => m.id === messageId);
  return { deps, reply, delivery, startedAgo, complete, status };
}

// Timings of a function with a 300 ms timeout: the 5 s allowance for clock skew dominates.
const timing = { remainingMs: 2_000, attemptMs: 300, marginMs: 500, pollMs: 20 };

describe("agent deliveries", () => {
  it("asks for the attempt the send decided: 0 for a new message; a legacy payload's is read from the log", async () => {
    const { delivery } = await setup();
    expect(delivery).toEqual({ threadId: "t_1", userMessageId: "m_1", attempt: 0 });
    expect(parseAgentPayload(delivery)).toEqual(delivery);
    expect(() => parseAgentPayload({ ...delivery, attempt: -1 })).toThrow(/attempt/);
    expect(parseAgentPayload({ threadId: "t_1", userMessageId: "m_1", reply: 0 })).toEqual({ threadId: "t_1", userMessageId: "m_1" });
  });

  it("waits for a reply an earlier delivery may still be writing, and leaves it alone when it ends", async () => {
    const { deps, reply, delivery, startedAgo, complete, status } = await setup();
    await startedAgo(5_200); // lost 100 ms from now, unless it ends
    setTimeout(() => void complete(), 40);
    expect(await deliverAgentRun(deps, delivery, timing)).toBe("duplicate");
    expect(await status()).toMatchObject({ status: "complete" });
    expect(reply).not.toHaveBeenCalled();
  });

  it("fails a reply once its delivery can no longer be alive", async () => {
    const { deps, reply, delivery, startedAgo, status } = await setup();
    await startedAgo(5_200);
    const started = Date.now();
    expect(await deliverAgentRun(deps, delivery, timing)).toBe("abandoned");
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(await status()).toMatchObject({ status: "failed", error: { reason: "the reply was interrupted", retryable: true } });
    expect(reply).not.toHaveBeenCalled();
  });

  it("does not wait when the reply is young enough for its delivery to be running", async () => {
    const { deps, delivery, startedAgo, status } = await setup();
    await startedAgo(0);
    expect(await deliverAgentRun(deps, delivery, timing)).toBe("duplicate");
    expect(await status()).toMatchObject({ status: "streaming" });
  });

  it("leaves a webhook agent's reply to its webhook, however old", async () => {
    const { deps, delivery, startedAgo, status } = await setup("webhook");
    await startedAgo(3_600_000);
    expect(await deliverAgentRun(deps, delivery, timing)).toBe("duplicate");
    expect(await status()).toMatchObject({ status: "streaming" });
  });
});
