import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../chat/reducer.ts";
import { ReplyInProgressError } from "../errors/index.ts";
import { createMemoryEventLog } from "../event-log/memory.ts";
import { createIngest } from "../ingest/ingest.ts";
import { failureEvent } from "./failure.ts";
import { runEventIds, runIdsFor } from "./run-ids.ts";
import { admitRun } from "./run-room.ts";
import { sendUserMessage } from "./send-message.ts";

async function setup(runsPerThread = 1) {
  const log = createMemoryEventLog();
  await log.createThread({ id: "t_1", owner: "s_1", createdAt: 1 });
  const deps = { log, ingest: createIngest(log), room: { runsPerThread, startWindowMs: 20_000 } };
  const send = (messageId: string) => sendUserMessage(deps, { threadId: "t_1", messageId, text: `text of ${messageId}` });
  const start = async (messageId: string, attempt = 0) => {
    const { runId, messageId: replyId } = await runIdsFor("t_1", messageId, attempt);
    await log.append({
      id: runEventIds.started(runId),
      threadId: "t_1",
      at: Date.now(),
      type: "run.started",
      runId,
      messageId: replyId,
      replyTo: messageId,
      agent: "demo",
    });
    return { threadId: "t_1", runId, messageId: replyId };
  };
  return { log, send, start };
}

describe("one reply in flight per thread, enforced by the server", () => {
  it("refuses a new message while the last one's reply is starting or streaming, and takes it once the reply ended", async () => {
    const { log, send, start } = await setup();
    expect(await send("m_1")).toMatchObject({ run: { attempt: 0, userMessageId: "m_1" }, duplicate: false });
    await expect(send("m_2")).rejects.toThrow(/the reply to the last message is starting in thread t_1.*LIMIT_RUNS_PER_THREAD/);
    const run = await start("m_1");
    await expect(send("m_2")).rejects.toThrow(/a reply is being written in thread t_1/);
    await expect(send("m_2")).rejects.toBeInstanceOf(ReplyInProgressError);
    await log.append({ ...run, id: runEventIds.completed(run.runId), at: Date.now(), type: "message.completed", text: "done" });
    expect(await send("m_2")).toMatchObject({ run: { userMessageId: "m_2" }, duplicate: false });
    // Nothing of the refused sends was written.
    expect((await log.snapshot("t_1")).state.messages.map((m) => m.id)).toEqual(["m_1", run.messageId, "m_2"]);
  });

  it("answers a message sent again as the duplicate it is, also while its reply streams; a retry after a failure waits its turn", async () => {
    const { log, send, start } = await setup();
    const first = await send("m_1");
    expect(await send("m_1")).toEqual({ ...first, duplicate: true });
    const run = await start("m_1");
    expect(await send("m_1")).toEqual({ ...first, duplicate: true });
    await log.append(failureEvent(run, { reason: "overloaded", retryable: true, kind: "agent_error" }));
    expect(await send("m_2")).toMatchObject({ duplicate: false });
    // m_1's retry would start its attempt 1 while m_2's reply is starting: refused.
    await expect(send("m_1")).rejects.toBeInstanceOf(ReplyInProgressError);
  });

  it("lets one of many sends racing into an idle thread through, and refuses every other", async () => {
    const { log, send } = await setup();
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => send(`m_${i}`)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ReplyInProgressError);
    expect((await log.snapshot("t_1")).state.messages).toHaveLength(1);
  });

  it("admits up to LIMIT_RUNS_PER_THREAD replies in flight, or any number with 0", async () => {
    const two = await setup(2);
    await two.send("m_1");
    await two.send("m_2");
    await expect(two.send("m_3")).rejects.toBeInstanceOf(ReplyInProgressError);
    const unlimited = await setup(0);
    for (let i = 0; i < 5; i++) await unlimited.send(`m_${i}`);
  });

  it("counts a message without a reply as in flight only within the start window", async () => {
    const user = (id: string, createdAt: number): ChatMessage => ({ id, role: "user", text: "x", status: "complete", createdAt });
    const room = { runsPerThread: 1, startWindowMs: 20_000 };
    const plan = (messages: ChatMessage[], now: number) => admitRun(messages, { threadId: "t_1", userMessageId: "m_new" }, room, now);
    await expect(plan([user("m_old", 1_000)], 20_999)).rejects.toBeInstanceOf(ReplyInProgressError);
    // Its run never started (an invoke lost in the cloud): past the window it holds nothing up.
    await expect(plan([user("m_old", 1_000)], 21_000)).resolves.toMatchObject({ userMessageId: "m_new", attempt: 0 });
  });
});
