import { NotFoundError } from "../errors/index.ts";
import type { EventLog } from "../event-log/event-log.ts";
import { DEFAULT_RUN_LEASE_MS } from "../event-log/leases.ts";
import { MAX_REPLY_BYTES } from "../events/constants.ts";
import type { Ingest } from "../ingest/ingest.ts";
import { AGENT_FIRST_DELTA, AGENT_RUNS } from "../metrics/definitions.ts";
import { type Metrics, noopMetrics } from "../metrics/metrics.ts";
import { noopTracer, type Tracer } from "../trace/tracer.ts";
import { type Agent, AgentError, type AgentTurn } from "./agent.ts";
import { CANCEL_POLL_MS, pollRunCancel, watchRun } from "./cancel-watch.ts";
import { createDeltaBatcher } from "./delta-batcher.ts";
import { type Failure, failureEvent, STOPPED } from "./failure.ts";
import { SHUT_DOWN } from "./lease.ts";
import { runEventIds, runIdsFor } from "./run-ids.ts";

/**
 * What starts a run: the user message to answer, and which attempt at it (see
 * `replyAttempt`: the send decides it, so the run it reports is the run that starts).
 */
export interface RunRequest {
  readonly threadId: string;
  readonly userMessageId: string;
  readonly attempt: number;
  /**
   * Whom the run descends from: the send's request id (every event of the run carries it
   * as `trace`) and, when the send ran in a span, its W3C `traceparent` (the run's span is
   * its child, in whatever process or function runs it).
   */
  readonly trace?: RunTrace;
}

/** See `RunRequest.trace`. */
export interface RunTrace {
  readonly requestId: string;
  readonly traceparent?: string;
}

export interface RunTurnDeps {
  readonly log: EventLog;
  readonly ingest: Ingest;
  readonly agent: Agent;
  /** Longest a delta waits before it is appended; the first one of a reply waits at most {@link FIRST_DELTA_WINDOW_MS}. */
  readonly deltaWindowMs: number;
  /**
   * How the runner learns of a stop while it runs:
   * - "follow" (default): it follows the thread's log: at once, and free in a long-lived
   *   process, whose shared reader follows the thread anyway;
   * - "appends": from its own appends (each says whether a stop was requested), and while
   *   it appends nothing, one read of the log a second: no read loop, no TCP connection
   *   (the Agent function, where every command is billed).
   */
  readonly cancelWatch?: "follow" | "appends";
  /**
   * The run's lease (see `RunLease`), as the log's `runLeaseMs`: its appends renew it, and
   * while it appends nothing the runner renews it every third of this.
   */
  readonly leaseMs?: number;
  /** How many earlier messages to hand the agent. */
  readonly historyLimit?: number;
  /** Where runs are counted by outcome, and their time to a first delta (default: nowhere). */
  readonly metrics?: Metrics;
  /** Spans around the run and its call to the agent (default: none). */
  readonly tracer?: Tracer;
}

/** Aborting a run with this reason (the process is shutting down) ends its reply retryably, not as stopped. */
export class ShutdownError extends Error {
  constructor() {
    super("the server is shutting down");
    this.name = "ShutdownError";
  }
}

/** The first delta batch of a reply goes out within this, whatever the window: the first words are what a person waits for. */
export const FIRST_DELTA_WINDOW_MS = 50;

/** "detached": a webhook agent handed the run off; its webhook records the end. */
export type RunOutcome = "completed" | "failed" | "duplicate" | "detached";

/**
 * Runs the agent for one user message and records the reply as events through
 * ingestion: `run.started`, `message.delta` batches, then `message.completed` or
 * `message.failed`. Runs exactly the attempt asked for. Idempotent: if that run already
 * started (a retried send or a redelivered invoke), it returns "duplicate" without
 * running the agent again.
 * Rejects only when the log itself fails; an agent failure becomes `message.failed`.
 * A reply that outgrows {@link MAX_REPLY_BYTES} is stopped and fails. For a webhook
 * agent (see {@link Agent}), a hand-off without failure returns "detached".
 *
 * Stopping: aborting `signal`, or a `run.cancel_requested` for this run appended to the
 * thread's log by any process (the runner follows the log while it runs), stops the
 * agent; the one record of the end is `message.failed` (kind `stopped`). Once a
 * webhook agent has taken the run over, the runner is gone: `stopHandedOffRun` stops it.
 */
export async function runAgentTurn(deps: RunTurnDeps, request: RunRequest, signal?: AbortSignal): Promise<RunOutcome> {
  const metrics = deps.metrics ?? noopMetrics;
  const tracer = deps.tracer ?? noopTracer;
  const attributes = {
    "murmur.thread_id": request.threadId,
    "murmur.message_id": request.userMessageId,
    "murmur.attempt": request.attempt,
  };
  try {
    const outcome = await tracer.span("agent.run", attributes, () => runTurn(deps, request, signal), request.trace?.traceparent);
    metrics.counter(AGENT_RUNS, { outcome }).inc();
    return outcome;
  } catch (error) {
    metrics.counter(AGENT_RUNS, { outcome: "error" }).inc();
    throw error;
  }
}

async function runTurn(deps: RunTurnDeps, request: RunRequest, signal?: AbortSignal): Promise<RunOutcome> {
  const startedAt = performance.now();
  const { threadId, userMessageId, attempt } = request;
  const { state } = await deps.log.snapshot(threadId);
  const index = state.messages.findIndex((m) => m.id === userMessageId && m.role === "user");
  const prompt = state.messages[index];
  if (!prompt) throw new NotFoundError(`message ${userMessageId} not found in thread ${threadId}`);
  const { runId, messageId } = await runIdsFor(threadId, userMessageId, attempt);
  const base = request.trace ? { threadId, runId, messageId, trace: request.trace.requestId } : { threadId, runId, messageId };

  const [started] = await deps.ingest(threadId, [
    { ...base, id: runEventIds.started(runId), at: Date.now(), type: "run.started", replyTo: userMessageId, agent: deps.agent.name },
  ]);
  if (started?.duplicate) return "duplicate";

  const history = state.messages
    .slice(0, index)
    .filter((m) => m.status === "complete")
    .slice(-(deps.historyLimit ?? 20))
    .map((m) => ({ role: m.role, text: m.text }));
  const turn: AgentTurn = { threadId, runId, replyTo: userMessageId, prompt: prompt.text, attempt, history };

  let seq = 0;
  let text = "";
  let lastAppendAt = Date.now();
  const controller = new AbortController();
  const stop = () => controller.abort(new Error("stop requested"));
  const batcher = createDeltaBatcher(
    deps.deltaWindowMs,
    async (batch) => {
      const current = seq++;
      lastAppendAt = Date.now();
      const [appended] = await deps.ingest(threadId, [
        { ...base, id: runEventIds.delta(runId, current), at: Date.now(), type: "message.delta", seq: current, text: batch },
      ]);
      if (current === 0) deps.metrics?.histogram(AGENT_FIRST_DELTA).observe((performance.now() - startedAt) / 1000);
      if (appended?.cancelRequested) stop();
    },
    FIRST_DELTA_WINDOW_MS,
  );
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  // The lease: the appends renew it; a run that appends nothing for a third of it renews it itself.
  const leaseMs = deps.leaseMs ?? DEFAULT_RUN_LEASE_MS;
  const renewal = setInterval(() => {
    if (Date.now() - lastAppendAt < leaseMs / 3) return;
    lastAppendAt = Date.now();
    deps.log.renewLease(threadId, runId, Date.now() + leaseMs).catch(() => {}); // its appends report an outage
  }, leaseMs / 3);
  const watching = new AbortController();
  const watch =
    !started || started.cancelRequested
      ? Promise.resolve(started?.cancelRequested ? ("cancel" as const) : ("closed" as const))
      : deps.cancelWatch === "appends"
        ? // Quiet for longer than a delta window means no append is coming soon to carry the flag.
          pollRunCancel(deps.log, base, started.cursor, () => lastAppendAt, watching.signal, deps.deltaWindowMs + CANCEL_POLL_MS)
        : watchRun(deps.log, base, started.cursor, watching.signal);
  void watch.then((outcome) => outcome === "cancel" && stop());

  let failure: Failure | null = null;
  let bytes = 0;
  const tracer = deps.tracer ?? noopTracer;
  try {
    await tracer.span("agent.reply", { "murmur.run_id": runId, "murmur.agent": deps.agent.name }, async () => {
      for await (const chunk of deps.agent.reply(turn, controller.signal)) {
        bytes += utf8Length(chunk);
        if (bytes > MAX_REPLY_BYTES) {
          failure = { reason: `the reply grew past ${MAX_REPLY_BYTES / 1024} KB and was cut off`, retryable: false, kind: "too_large" };
          break; // ends the agent's iteration, which stops its request
        }
        text += chunk;
        batcher.push(chunk);
      }
    });
    if (controller.signal.aborted) failure ??= abortFailure(controller.signal);
  } catch (error) {
    failure = controller.signal.aborted
      ? abortFailure(controller.signal)
      : error instanceof AgentError
        ? { reason: error.message, retryable: error.retryable, kind: error.kind }
        : { reason: "the agent failed unexpectedly", retryable: true, kind: "internal" };
  } finally {
    signal?.removeEventListener("abort", onAbort);
    clearInterval(renewal);
  }
  await batcher.drain();
  watching.abort();

  if (failure) {
    await deps.ingest(threadId, [{ ...failureEvent(base, failure), ...(request.trace ? { trace: request.trace.requestId } : {}) }]);
    return "failed";
  }
  if (deps.agent.completion === "webhook") return "detached";
  await deps.ingest(threadId, [{ ...base, id: runEventIds.completed(runId), at: Date.now(), type: "message.completed", text }]);
  return "completed";
}

/** A stop asked for by a person, or the process shutting down. */
function abortFailure(signal: AbortSignal): Failure {
  return signal.reason instanceof ShutdownError ? SHUT_DOWN : STOPPED;
}

const encoder = new TextEncoder();
const utf8Length = (text: string) => encoder.encode(text).length;
