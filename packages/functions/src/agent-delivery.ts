import {
  type AgentRunRef,
  type RunOutcome,
  type RunRequest,
  type RunTurnDeps,
  runAgentTurn,
  runEventIds,
  type StopOutcome,
  stopHandedOffRun,
} from "@murmur/core/agent";
import { type ChatMessage, describeIssues, IdSchema } from "@murmur/core/chat";
import { NotFoundError, ValidationError } from "@murmur/core/errors";
import type { EventLog } from "@murmur/core/event-log";
import * as v from "valibot";

/**
 * What the Agent function receives: the run request, and which reply to it the send
 * asked for. `reply` counts the replies the message had when it was sent, so a
 * redelivery of the same invoke finds that reply started and does not run the agent
 * again, even after it failed (sending again asks for the next reply: that is a retry).
 */
export interface AgentDelivery extends RunRequest {
  readonly reply: number;
}

/** What the stop route sends: stop a run a webhook agent took over (see `stopHandedOffRun`). */
export interface StopDelivery extends AgentRunRef {
  readonly type: "stop";
}

/** Everything the Agent function is invoked with. */
export type AgentPayload = AgentDelivery | StopDelivery;

const AgentDeliverySchema = v.strictObject({
  threadId: IdSchema,
  userMessageId: IdSchema,
  reply: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

const StopDeliverySchema = v.strictObject({ type: v.literal("stop"), threadId: IdSchema, runId: IdSchema });

/** "abandoned": an earlier delivery died without a trace; its reply was failed so it can be retried. */
export type DeliveryOutcome = RunOutcome | "abandoned";

export interface DeliveryTiming {
  /** How long this delivery may still run (Lambda: `context.getRemainingTimeInMillis()`). */
  readonly remainingMs: number;
  /** The longest any delivery runs (the function's timeout): an inline reply never outlives it. */
  readonly attemptMs: number;
  /** The run is cut off this long before the end, so that its failure is recorded in time. */
  readonly marginMs?: number;
  /** How often a delivery waiting on an earlier one looks at the reply. */
  readonly pollMs?: number;
}

const TOO_LONG = { reason: "the reply took too long and was cut off", retryable: true };
const LOST = { reason: "the reply was interrupted", retryable: true };
/** Clock skew between two invocations, and the start-up before a run records `run.started`. */
const SKEW_MS = 5_000;

/** The delivery a send makes of `request`: which reply it asks for is read from the log now. */
export async function describeDelivery(log: EventLog, request: RunRequest): Promise<AgentDelivery> {
  const { state } = await log.snapshot(request.threadId);
  return {
    threadId: request.threadId,
    userMessageId: request.userMessageId,
    reply: repliesTo(state.messages, request.userMessageId).length,
  };
}

/** @throws ValidationError naming what is wrong with an invoke's payload. */
export function parseAgentPayload(payload: unknown): AgentPayload {
  const schema = typeof payload === "object" && payload !== null && "type" in payload ? StopDeliverySchema : AgentDeliverySchema;
  const result = v.safeParse(schema, payload);
  if (!result.success) throw new ValidationError("invalid agent delivery", describeIssues(result.issues));
  return result.output;
}

/**
 * Runs the reply a delivery asks for, at most once however often it is delivered:
 * - not started: runs it (deliveries racing on it meet at the deterministic `run.started`);
 * - started and ended: nothing to do ("duplicate");
 * - started and still streaming: another delivery runs it, or ran it and died without a
 *   trace (out of memory, a crash). An inline reply lives no longer than one delivery,
 *   so once `attemptMs` has passed since it started, its delivery is gone: the reply is
 *   failed, retryable ("abandoned"). Webhook agents finish out of band: left alone.
 * A run this delivery cannot finish in time is cut off and fails saying so.
 * Rejects when the log fails, so that Lambda delivers again.
 */
export async function deliverAgentRun(deps: RunTurnDeps, delivery: AgentDelivery, timing: DeliveryTiming): Promise<DeliveryOutcome> {
  const endAt = Date.now() + timing.remainingMs - (timing.marginMs ?? 10_000);
  const existing = await replyOf(deps.log, delivery);
  if (!existing) return runUntil(deps, delivery, endAt);
  if (existing.status !== "streaming" || deps.agent.completion === "webhook") return "duplicate";
  // Wait no longer than this delivery may: if the reply is that young, its delivery may be alive.
  const lostAt = existing.createdAt + timing.attemptMs + SKEW_MS;
  if (lostAt > endAt) return "duplicate";
  for (let now = Date.now(); now < lostAt; now = Date.now()) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(timing.pollMs ?? 10_000, lostAt - now)));
    if ((await replyOf(deps.log, delivery))?.status !== "streaming") return "duplicate";
  }
  await fail(deps, delivery.threadId, existing, LOST);
  return "abandoned";
}

async function runUntil(deps: RunTurnDeps, delivery: AgentDelivery, endAt: number): Promise<DeliveryOutcome> {
  const cutOff = new AbortController();
  const timer = setTimeout(
    async () => {
      // Say why first: the runner's own "stopped" failure has the same event id and lands as a duplicate.
      const reply = await replyOf(deps.log, delivery).catch(() => undefined);
      if (reply?.status === "streaming") await fail(deps, delivery.threadId, reply, TOO_LONG).catch(() => undefined);
      cutOff.abort(new Error("the Agent function is about to time out"));
    },
    Math.max(0, endAt - Date.now()),
  );
  try {
    return await runAgentTurn(deps, { threadId: delivery.threadId, userMessageId: delivery.userMessageId }, cutOff.signal);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The Agent function's work for one invoke's payload: runs the reply, or stops a
 * handed-off run, and logs the outcome as a JSON line. A payload that cannot work
 * (invalid, or a message that does not exist) is logged and dropped, since delivering
 * it again would not help; other failures reject, so Lambda delivers again.
 */
export async function handleAgentDelivery(
  deps: RunTurnDeps,
  payload: unknown,
  timing: DeliveryTiming,
): Promise<DeliveryOutcome | StopOutcome | "rejected"> {
  try {
    const parsed = parseAgentPayload(payload);
    if ("type" in parsed) {
      const stop = await stopHandedOffRun(deps, parsed);
      console.log(JSON.stringify({ agentStop: stop, threadId: parsed.threadId, runId: parsed.runId }));
      return stop;
    }
    const outcome = await deliverAgentRun(deps, parsed, timing);
    console.log(JSON.stringify({ agentRun: outcome, threadId: parsed.threadId, userMessageId: parsed.userMessageId }));
    return outcome;
  } catch (error) {
    if (!(error instanceof ValidationError || error instanceof NotFoundError)) throw error;
    console.error(JSON.stringify({ agentRun: "rejected", error: error.message, payload }));
    return "rejected";
  }
}

function repliesTo(messages: readonly ChatMessage[], userMessageId: string): ChatMessage[] {
  return messages.filter((m) => m.role === "assistant" && m.replyTo === userMessageId);
}

async function replyOf(log: EventLog, delivery: AgentDelivery): Promise<ChatMessage | undefined> {
  const { state } = await log.snapshot(delivery.threadId);
  return repliesTo(state.messages, delivery.userMessageId)[delivery.reply];
}

async function fail(deps: RunTurnDeps, threadId: string, reply: ChatMessage, why: { reason: string; retryable: boolean }): Promise<void> {
  if (!reply.runId) return;
  await deps.ingest(threadId, [
    {
      id: runEventIds.failed(reply.runId),
      threadId,
      at: Date.now(),
      type: "message.failed",
      runId: reply.runId,
      messageId: reply.id,
      ...why,
    },
  ]);
}
