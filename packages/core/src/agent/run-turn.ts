import type { ChatMessage, ThreadState } from "../chat/reducer.ts";
import { NotFoundError, UnavailableError } from "../errors/index.ts";
import { ReplyTooLargeError, utf8Length } from "../event-log/append-guards.ts";
import type { EventLog } from "../event-log/event-log.ts";
import { DEFAULT_RUN_LEASE_MS } from "../event-log/leases.ts";
import { MAX_REPLY_BYTES } from "../events/constants.ts";
import type { Ingest, IngestResult } from "../ingest/ingest.ts";
import { retryWhileUnavailable } from "../ingest/retrying-ingest.ts";
import { AGENT_FIRST_DELTA, AGENT_RUNS } from "../metrics/definitions.ts";
import { type Metrics, noopMetrics } from "../metrics/metrics.ts";
import { noopTracer, type Tracer } from "../trace/tracer.ts";
import { type Agent, AgentError, type AgentTurn } from "./agent.ts";
import { CANCEL_POLL_MS, pollRunCancel, watchRun } from "./cancel-watch.ts";
import { createDeltaBatcher } from "./delta-batcher.ts";
import { CANNOT_START, type Failure, failureEvent, STOPPED, tooLarge } from "./failure.ts";
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
  /** The most bytes of text a reply may hold (`LIMIT_REPLY_BYTES`, at most and by default {@link MAX_REPLY_BYTES}). */
  readonly maxReplyBytes?: number;
  /**
   * How long the run's start (its first read of the thread and its `run.started`) is
   * retried while the log cannot be reached, backing off, before the run ends as
   * `message.failed` (kind `unavailable`, retryable). Default: half the lease, so a run
   * starts or fails within the window in which its message counts as a reply in flight.
   */
  readonly startRetryMs?: number;
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

/** How long a webhook agent's provider has, by default, to report a handed-off run's end. */
export const DEFAULT_HAND_OFF_LEASE_MS = 15 * 60_000;

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
  const { runId, messageId } = await runIdsFor(threadId, userMessageId, attempt);
  // Every event of the run carries the send's request id (see `RunRequest.trace`).
  const trace = request.trace ? { trace: request.trace.requestId } : {};
  const base = { threadId, runId, messageId, ...trace };
  const leaseMs = deps.leaseMs ?? DEFAULT_RUN_LEASE_MS;
  const runStarted = () =>
    ({
      ...base,
      id: runEventIds.started(runId),
      at: Date.now(),
      type: "run.started",
      replyTo: userMessageId,
      agent: deps.agent.name,
    }) as const;

  // The start: read the thread, record run.started. Retried while the log is unreachable
  // (a Redis restart, a flood of commands timing out); a run that still cannot start ends
  // visibly and retryably, never silently.
  let start: { state: ThreadState; index: number; started: IngestResult | undefined };
  try {
    start = await retryWhileUnavailable(
      async () => {
        const { state } = await deps.log.snapshot(threadId);
        const index = state.messages.findIndex((m) => m.id === userMessageId && m.role === "user");
        if (index === -1) throw new NotFoundError(`message ${userMessageId} not found in thread ${threadId}`);
        const [started] = await deps.ingest(threadId, [runStarted()]);
        return { state, index, started };
      },
      deps.startRetryMs ?? leaseMs / 2,
    );
  } catch (error) {
    if (!(error instanceof UnavailableError)) throw error;
    await deps.ingest(threadId, [runStarted(), { ...failureEvent(base, CANNOT_START), ...trace }]);
    return "failed";
  }
  const { state, index, started } = start;
  const prompt = state.messages[index] as ChatMessage;
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
  const maxBytes = Math.min(deps.maxReplyBytes ?? MAX_REPLY_BYTES, MAX_REPLY_BYTES);
  try {
    await (deps.tracer ?? noopTracer).span("agent.reply", { "murmur.run_id": runId, "murmur.agent": deps.agent.name }, async () => {
      for await (const chunk of deps.agent.reply(turn, controller.signal)) {
        bytes += utf8Length(chunk);
        if (bytes > maxBytes) {
          failure = tooLarge(maxBytes);
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
  try {
    await batcher.drain();
  } catch (error) {
    // The log refused a delta past its own limit and ended the reply: the end below lands as a duplicate.
    if (!(error instanceof ReplyTooLargeError)) throw error;
    failure ??= tooLarge(error.limitBytes);
  }
  watching.abort();

  if (failure) {
    await deps.ingest(threadId, [{ ...failureEvent(base, failure), ...trace }]);
    return "failed";
  }
  if (deps.agent.completion === "webhook") {
    // The provider finishes the run now: its lease outlives the runner by the agent's hand-off time.
    await deps.log.renewLease(threadId, runId, Date.now() + (deps.agent.handOffLeaseMs ?? DEFAULT_HAND_OFF_LEASE_MS)).catch(() => {});
    return "detached";
  }
  await deps.ingest(threadId, [{ ...base, id: runEventIds.completed(runId), at: Date.now(), type: "message.completed", text }]);
  return "completed";
}

/** A stop asked for by a person, or the process shutting down. */
function abortFailure(signal: AbortSignal): Failure {
  return signal.reason instanceof ShutdownError ? SHUT_DOWN : STOPPED;
}
