import {
  type AgentRunRef,
  type Failure,
  failureEvent,
  type RunOutcome,
  type RunRequest,
  type RunTurnDeps,
  replyAttempt,
  runAgentTurn,
  runIdsFor,
  type StopOutcome,
  stopHandedOffRun,
} from "@murmur/core/agent";
import type { ChatMessage } from "@murmur/core/chat";
import { NotFoundError, ValidationError } from "@murmur/core/errors";
import type { EventLog } from "@murmur/core/event-log";
import { describeIssues, IdSchema } from "@murmur/core/events";
import { REQUEST_ID_PATTERN } from "@murmur/core/trace";
import * as v from "valibot";

/**
 * What the Agent function receives to run a reply: the run request, naming the attempt
 * the send decided (see `replyAttempt`). A redelivery of the same invoke names the same
 * run, finds it started (or ended) and does not run the agent again, even after it
 * failed (sending again asks for the next attempt: that is a retry).
 */
export type AgentDelivery = RunRequest;

/** What the stop route sends: stop a run a webhook agent took over (see `stopHandedOffRun`). */
export interface StopDelivery extends AgentRunRef {
  readonly type: "stop";
}

/** Everything the Agent function is invoked with. */
export type AgentPayload = AgentDelivery | StopDelivery;

const attempt = v.pipe(v.number(), v.integer(), v.minValue(0));
/** The send's request id, and its span (see `RunRequest.trace`). */
const TraceSchema = v.strictObject({
  requestId: v.pipe(v.string(), v.regex(REQUEST_ID_PATTERN)),
  traceparent: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/))),
});
const AgentDeliverySchema = v.strictObject({ threadId: IdSchema, userMessageId: IdSchema, attempt, trace: v.optional(TraceSchema) });
/** Invokes queued before runs named their attempt carry `reply`; which attempt they mean is read from the log. */
const LegacyDeliverySchema = v.strictObject({ threadId: IdSchema, userMessageId: IdSchema, reply: attempt });
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

const TOO_LONG: Failure = { reason: "the reply took too long and was cut off", retryable: true, kind: "timeout" };
const LOST: Failure = { reason: "the reply was interrupted", retryable: true, kind: "abandoned" };
/** Clock skew between two invocations, and the start-up before a run records `run.started`. */
const SKEW_MS = 5_000;

/**
 * @throws ValidationError naming what is wrong with an invoke's payload.
 * A legacy payload (`reply`, no `attempt`) comes back as `{ threadId, userMessageId }` for {@link resolveDelivery}.
 */
export function parseAgentPayload(payload: unknown): AgentPayload | Omit<AgentDelivery, "attempt"> {
  const has = (key: string) => typeof payload === "object" && payload !== null && key in payload;
  const schema = has("type") ? StopDeliverySchema : has("reply") && !has("attempt") ? LegacyDeliverySchema : AgentDeliverySchema;
  const result = v.safeParse(schema, payload);
  if (!result.success) throw new ValidationError("invalid agent delivery", describeIssues(result.issues));
  if ("reply" in result.output) return { threadId: result.output.threadId, userMessageId: result.output.userMessageId };
  return result.output;
}

/** A delivery with its attempt: a legacy one's is decided now, by `replyAttempt` over the thread's state. */
async function resolveDelivery(log: EventLog, delivery: AgentDelivery | Omit<AgentDelivery, "attempt">): Promise<AgentDelivery> {
  if ("attempt" in delivery) return delivery;
  const { state } = await log.snapshot(delivery.threadId);
  return { ...delivery, attempt: replyAttempt(state.messages, delivery.userMessageId) };
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
  // Start it: a reply that already started lands as a duplicate `run.started` (one read
  // fewer than looking first, for the usual first delivery).
  const outcome = await runUntil(deps, delivery, endAt);
  if (outcome !== "duplicate") return outcome;
  const existing = await replyOf(deps.log, delivery);
  if (existing?.status !== "streaming" || deps.agent.completion === "webhook") return "duplicate";
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
    return await runAgentTurn(deps, delivery, cutOff.signal);
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
    const outcome = await deliverAgentRun(deps, await resolveDelivery(deps.log, parsed), timing);
    const requestId = "trace" in parsed ? parsed.trace?.requestId : undefined;
    console.log(JSON.stringify({ agentRun: outcome, threadId: parsed.threadId, userMessageId: parsed.userMessageId, requestId }));
    return outcome;
  } catch (error) {
    if (!(error instanceof ValidationError || error instanceof NotFoundError)) throw error;
    console.error(JSON.stringify({ agentRun: "rejected", error: error.message, payload }));
    return "rejected";
  }
}

/** The reply the delivery's run writes, once it started. */
async function replyOf(log: EventLog, delivery: AgentDelivery): Promise<ChatMessage | undefined> {
  const { runId } = await runIdsFor(delivery.threadId, delivery.userMessageId, delivery.attempt);
  const { state } = await log.snapshot(delivery.threadId);
  return state.messages.find((m) => m.role === "assistant" && m.runId === runId);
}

async function fail(deps: RunTurnDeps, threadId: string, reply: ChatMessage, failure: Failure): Promise<void> {
  if (!reply.runId) return;
  await deps.ingest(threadId, [failureEvent({ threadId, runId: reply.runId, messageId: reply.id }, failure)]);
}
