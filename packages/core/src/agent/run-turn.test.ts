import { describe, expect, it, vi } from "vitest";
import { UnavailableError } from "../errors/index.ts";
import type { EventLog } from "../event-log/event-log.ts";
import { createMemoryEventLog } from "../event-log/memory.ts";
import type { ChatEvent } from "../events/schemas.ts";
import { createIngest } from "../ingest/ingest.ts";
import { type Agent, AgentError } from "./agent.ts";
import { createDemoAgent, demoReply } from "./demo.ts";
import { createInProcessInvoker } from "./invoker.ts";
import { planRun, replyAttempt, runEventIds, runIdsFor } from "./run-ids.ts";
import { DEFAULT_HAND_OFF_LEASE_MS, runAgentTurn } from "./run-turn.ts";
import { stopHandedOffRun } from "./stop-run.ts";

async function setup(agent: Agent) {
  const log = createMemoryEventLog();
  await log.createThread({ id: "t_1", owner: "s_1", createdAt: 1 });
  await log.append({ id: "msg:m_1", threadId: "t_1", at: 1, type: "message.created", messageId: "m_1", role: "user", text: "hello agent" });
  const deps = { log, ingest: createIngest(log), agent, deltaWindowMs: 5 };
  return { log, deps };
}

async function events(log: ReturnType<typeof createMemoryEventLog>) {
  const read = await log.read("t_1", null, 10_000);
  if (read.kind !== "events") throw new Error("reset");
  return read.events.map((e) => e.event);
}

/** Waits until the log holds an event of `type`. */
const logged = (log: ReturnType<typeof createMemoryEventLog>, type: ChatEvent["type"]) =>
  vi.waitFor(async () => expect((await events(log)).map((e) => e.type)).toContain(type), { timeout: 5000, interval: 2 });

/** `log` whose first `failures` snapshots fail as an unreachable store does (a Redis flooded with commands timing out). */
function failingSnapshots(log: EventLog, failures: number): EventLog & { snapshots: number } {
  const counter = { snapshots: 0 };
  return new Proxy(log, {
    get(target, name) {
      if (name === "snapshots") return counter.snapshots;
      if (name === "snapshot")
        return async (threadId: string) => {
          if (counter.snapshots++ < failures) throw new UnavailableError("event log unreachable: Command timed out");
          return target.snapshot(threadId);
        };
      const value = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as EventLog & { snapshots: number };
}

function scripted(chunks: string[], error?: Error): Agent {
  return {
    name: "scripted",
    async *reply() {
      for (const chunk of chunks) {
        await new Promise((r) => setTimeout(r, 1));
        yield chunk;
      }
      if (error) throw error;
    },
  };
}

describe("running an agent turn", () => {
  it("records run.started, deltas in order and the completed reply", async () => {
    const { log, deps } = await setup(createDemoAgent({ paceMs: 1 }));
    expect(await runAgentTurn(deps, { threadId: "t_1", userMessageId: "m_1", attempt: 0 })).toBe("completed");
    const all = await events(log);
    const { runId, messageId } = await runIdsFor("t_1", "m_1");
    expect(all[1]).toMatchObject({ type: "run.started", runId, messageId, replyTo: "m_1", agent: "demo" });
    const deltas = all.filter((e) => e.type === "message.delta");
    expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i));
    const expected = demoReply({ prompt: "hello agent", history: [] });
    expect(deltas.map((d) => d.text).join("")).toBe(expected);
    expect(all.at(-1)).toMatchObject({ type: "message.completed", text: expected });
    const { state } = await log.snapshot("t_1");
    expect(state.messages[1]).toMatchObject({ status: "complete", text: expected });
  });

  it("runs once when started twice (redelivered invoke)", async () => {
    const { log, deps } = await setup(scripted(["a", "b"]));
    const outcomes = await Promise.all([
      runAgentTurn(deps, { threadId: "t_1", userMessageId: "m_1", attempt: 0 }),
      runAgentTurn(deps, { threadId: "t_1", userMessageId: "m_1", attempt: 0 }),
    ]);
    expect(outcomes.sort()).toEqual(["completed", "duplicate"]);
    expect((await events(log)).filter((e) => e.type === "message.completed")).toHaveLength(1);
  });

  it("turns an agent error into message.failed with its reason", async () => {
    const { log, deps } = await setup(scripted(["partial "], new AgentError("the model is overloaded (429)", { retryable: true })));
    expect(await runAgentTurn(deps, { threadId: "t_1", userMessageId: "m_1", attempt: 0 })).toBe("failed");
    expect((await events(log)).at(-1)).toMatchObject({ type: "message.failed", reason: "the model is overloaded (429)", retryable: true });
  });

  it("hides an unexpected error's details", async () => {
    const { log, deps } = await setup(scripted([], new Error("secret internals")));
    await runAgentTurn(deps, { threadId: "t_1", userMessageId: "m_1", attempt: 0 });
    expect((await events(log)).at(-1)).toMatchObject({ type: "message.failed", reason: "the agent failed unexpectedly" });
  });

  it("records a stopped reply as failed", async () => {
    const { log, deps } = await setup(createDemoAgent({ paceMs: 5 }));
    const controller = new AbortController();
    const run = runAgentTurn(deps, { threadId: "t_1", userMessageId: "m_1", attempt: 0 }, controller.signal);
    await logged(log, "message.delta"); // stopped in the middle of the reply
    controller.abort();
    expect(await run).toBe("failed");
    expect((await events(log)).at(-1)).toMatchObject({ type: "message.failed", kind: "stopped" });
  });

  it("stops when the log records a cancel request for the run, and records the end once", async () => {
    const { log, deps } = await setup(createDemoAgent({ paceMs: 5 }));
    const { runId, messageId } = await runIdsFor("t_1", "m_1");
    const run = runAgentTurn(deps, { threadId: "t_1", userMessageId: "m_1", attempt: 0 });
    await logged(log, "message.delta");
    const cancel = { id: runEventIds.cancel(runId), threadId: "t_1", at: 2, type: "run.cancel_requested", runId, messageId } as const;
    await log.append(cancel);
    expect(await run).toBe("failed");
    await log.append(cancel); // asked twice: lands once
    const all = await events(log);
    expect(all.filter((e) => e.type === "run.cancel_requested")).toHaveLength(1);
    expect(all.filter((e) => e.type === "message.failed")).toEqual([expect.objectContaining({ kind: "stopped" })]);
    expect(all.some((e) => e.type === "message.completed")).toBe(false);
    expect((await log.snapshot("t_1")).state.messages[1]).toMatchObject({ status: "failed", stopping: true });
  });

  it("ignores a cancel request for another run", async () => {
    const { log, deps } = await setup(createDemoAgent({ paceMs: 1 }));
    const run = runAgentTurn(deps, { threadId: "t_1", userMessageId: "m_1", attempt: 0 });
    await logged(log, "run.started");
    await log.append({
      id: "r_other:cancel",
      threadId: "t_1",
      at: 2,
      type: "run.cancel_requested",
      runId: "r_other",
      messageId: "a_other",
    });
    expect(await run).toBe("completed");
  });

  it("stops a handed-off webhook run at the provider, recording the stop once", async () => {
    const cancelled: string[] = [];
    const agent: Agent = {
      name: "hooked",
      completion: "webhook",
      async *reply() {
        yield "started";
      },
      async cancel(run) {
        cancelled.push(run.runId);
      },
    };
    const { log, deps } = await setup(agent);
    const { runId, messageId } = await runIdsFor("t_1", "m_1");
    expect(await runAgentTurn(deps, { threadId: "t_1", userMessageId: "m_1", attempt: 0 })).toBe("detached");
    // The run outlives its runner: its lease is the provider's hand-off time, not a run's.
    const lease = (await log.getThread("t_1"))?.leases.find((l) => l.runId === runId);
    expect(lease?.expiresAt).toBeGreaterThan(Date.now() + DEFAULT_HAND_OFF_LEASE_MS - 60_000);
    await log.append({ id: runEventIds.cancel(runId), threadId: "t_1", at: 2, type: "run.cancel_requested", runId, messageId });
    expect(await stopHandedOffRun(deps, { threadId: "t_1", runId })).toBe("stopped");
    expect(cancelled).toEqual([runId]);
    expect((await events(log)).at(-1)).toMatchObject({ type: "message.failed", kind: "stopped", retryable: true });
    // Asking again, or the provider's "interrupted" webhook (same event id), changes nothing.
    expect(await stopHandedOffRun(deps, { threadId: "t_1", runId })).toBe("ended");
    expect(cancelled).toEqual([runId]);
    expect((await events(log)).filter((e) => e.type === "message.failed")).toHaveLength(1);
  });

  it("leaves stopping an inline agent's run to its runner", async () => {
    const { deps } = await setup(scripted(["x"]));
    expect(await stopHandedOffRun(deps, { threadId: "t_1", runId: "r_1" })).toBe("inline");
  });

  it("starts a new attempt when the same message is sent again after a retryable failure", async () => {
    let fail = true;
    const agent: Agent = {
      name: "flaky",
      async *reply() {
        if (fail) throw new AgentError("model overloaded", { retryable: true });
        yield "second time lucky";
      },
    };
    const { log, deps } = await setup(agent);
    const plan = () => planRun(log, "t_1", "m_1");
    expect(await plan()).toMatchObject({ attempt: 0 });
    expect(await runAgentTurn(deps, await plan())).toBe("failed");
    fail = false;
    const retry = await plan();
    expect(retry).toMatchObject({ attempt: 1, ...(await runIdsFor("t_1", "m_1", 1)) });
    expect(await runAgentTurn(deps, retry)).toBe("completed");
    // Sent again once the reply is complete: the same (last) attempt, which lands as a duplicate.
    expect(await plan()).toEqual(retry);
    expect(await runAgentTurn(deps, await plan())).toBe("duplicate");
    const messages = (await log.snapshot("t_1")).state.messages;
    expect(messages.map((m) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "failed"],
      ["assistant", "complete"],
    ]);
    expect(messages[2]).toMatchObject({ text: "second time lucky", replyTo: "m_1" });
  });

  it("decides the attempt a send asks for from the replies the message has", () => {
    const reply = (status: "streaming" | "complete" | "failed", retryable = true) =>
      ({ id: `a_${status}`, role: "assistant", text: "", status, createdAt: 0, replyTo: "m_1", error: { reason: "", retryable } }) as const;
    expect(replyAttempt([], "m_1")).toBe(0);
    expect(replyAttempt([reply("streaming")], "m_1")).toBe(0);
    expect(replyAttempt([reply("complete")], "m_1")).toBe(0);
    expect(replyAttempt([reply("failed", false)], "m_1")).toBe(0);
    expect(replyAttempt([reply("failed")], "m_1")).toBe(1);
    expect(replyAttempt([reply("failed"), reply("streaming")], "m_1")).toBe(1);
    expect(replyAttempt([reply("failed"), reply("failed")], "m_1")).toBe(2);
    expect(replyAttempt([reply("failed")], "m_2")).toBe(0);
  });

  it("starts a regeneration's attempt once, also after a complete reply; a retry of it, or one while a reply streams, starts nothing new", () => {
    const reply = (status: "streaming" | "complete" | "failed") =>
      ({ id: `a_${status}`, role: "assistant", text: "", status, createdAt: 0, replyTo: "m_1" }) as const;
    expect(replyAttempt([reply("complete")], "m_1", 1)).toBe(1); // the next attempt
    expect(replyAttempt([reply("complete"), reply("complete")], "m_1", 1)).toBe(1); // asked again: that attempt, a duplicate
    expect(replyAttempt([reply("complete"), reply("streaming")], "m_1", 2)).toBe(1); // another tab regenerated first
    expect(replyAttempt([reply("complete")], "m_1", 9)).toBe(1); // never past the next one
    expect(replyAttempt([], "m_1", 1)).toBe(0);
  });

  it("retries a run whose first read fails, backing off, and then runs it", async () => {
    const { log, deps } = await setup(scripted(["after ", "all"]));
    const flaky = failingSnapshots(log, 3);
    const outcome = await runAgentTurn({ ...deps, log: flaky, startRetryMs: 5_000 }, { threadId: "t_1", userMessageId: "m_1", attempt: 0 });
    expect(outcome).toBe("completed");
    expect(flaky.snapshots).toBe(4);
    expect((await events(log)).at(-1)).toMatchObject({ type: "message.completed", text: "after all" });
  });

  it("ends a run that still cannot start with a retryable message.failed (unavailable), never silently", async () => {
    const { log, deps } = await setup(scripted(["never"]));
    const down = failingSnapshots(log, Number.POSITIVE_INFINITY);
    const started = Date.now();
    expect(await runAgentTurn({ ...deps, log: down, startRetryMs: 300 }, { threadId: "t_1", userMessageId: "m_1", attempt: 0 })).toBe(
      "failed",
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(down.snapshots).toBeGreaterThan(2); // backed off, not given up at once
    const { runId } = await runIdsFor("t_1", "m_1");
    expect((await events(log)).slice(1)).toMatchObject([
      { type: "run.started", runId },
      { type: "message.failed", runId, kind: "unavailable", retryable: true },
    ]);
    // Sending the message again starts its next attempt.
    expect(replyAttempt((await log.snapshot("t_1")).state.messages, "m_1")).toBe(1);
  });

  it("refuses an unknown user message", async () => {
    const { deps } = await setup(scripted([]));
    await expect(runAgentTurn(deps, { threadId: "t_1", userMessageId: "m_404", attempt: 0 })).rejects.toThrow("message m_404 not found");
  });

  it("runs and stops in the background through the in-process invoker", async () => {
    const { log, deps } = await setup(scripted(["x"]));
    const errors: string[] = [];
    const stops: string[] = [];
    const invoker = createInProcessInvoker({
      run: (request) => runAgentTurn(deps, request),
      stop: async (run) => stops.push(run.runId),
      onError: (_e, what) => errors.push(what),
    });
    await invoker.invoke({ threadId: "t_1", userMessageId: "m_1", attempt: 0 });
    await invoker.invoke({ threadId: "t_1", userMessageId: "m_404", attempt: 0 });
    await invoker.cancel({ threadId: "t_1", runId: "r_1" });
    await invoker.idle();
    expect((await events(log)).at(-1)).toMatchObject({ type: "message.completed", text: "x" });
    expect(errors).toEqual(["agent run for t_1/m_404"]);
    expect(stops).toEqual(["r_1"]);
  });
});
