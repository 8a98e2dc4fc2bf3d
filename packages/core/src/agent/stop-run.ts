import type { EventLog } from "../event-log/event-log.ts";
import type { Ingest } from "../ingest/ingest.ts";
import type { AgentRunRef } from "./agent.ts";
import { CANCEL_POLL_MS } from "./cancel-watch.ts";
import { failureEvent, STOPPED } from "./failure.ts";
import type { RunTurnDeps } from "./run-turn.ts";

/**
 * - "stopped": the provider was asked to stop the run, and the log records the stop;
 * - "ended": the reply had already ended (or never started): nothing to do;
 * - "inline": the agent writes replies inline; its runner follows the log and stops itself.
 */
export type StopOutcome = "stopped" | "ended" | "inline";

/**
 * Stops a run that a webhook agent took over (a LangGraph background run): its runner
 * returned at the hand-off, so only the provider can stop it. Asks the provider
 * (`agent.cancel`), then records `message.failed` (kind `stopped`) with the run's
 * deterministic id, so the provider's own "interrupted" webhook, a second stop, or a
 * runner that was still there land once. Rejects when the provider or the log cannot be
 * reached, so the caller can try again.
 */
export async function stopHandedOffRun(deps: Pick<RunTurnDeps, "log" | "ingest" | "agent">, run: AgentRunRef): Promise<StopOutcome> {
  if (deps.agent.completion !== "webhook" || !deps.agent.cancel) return "inline";
  const { state } = await deps.log.snapshot(run.threadId);
  const reply = state.messages.find((m) => m.role === "assistant" && m.runId === run.runId);
  if (reply?.status !== "streaming") return "ended";
  await deps.agent.cancel(run);
  await deps.ingest(run.threadId, [failureEvent({ ...run, messageId: reply.id }, STOPPED)]);
  return "stopped";
}

/**
 * How long a live runner may take to end its reply once a stop is in the log: its next
 * append (within a delta window) or its cancel poll (once quiet for a window and a poll,
 * then each poll) sees it; and a second for the agent to let go and the end to be written.
 */
export const stopGraceMs = (deltaWindowMs: number): number => deltaWindowMs + 2 * CANCEL_POLL_MS + 1_000;

/**
 * After a stop was asked for: waits up to `graceMs` for the reply to end, which its runner
 * does within a delta window and a cancel poll or two ({@link CANCEL_POLL_MS}); a reply
 * still streaming then has no runner left (its process died, and its lease has not lapsed
 * yet), so the stop ends it at once, `message.failed` kind `stopped`, with the run's
 * deterministic id (a runner that was only slow lands on the same event). Resolves the
 * reply's status in the end.
 */
export async function awaitStop(
  deps: { readonly log: Pick<EventLog, "snapshot">; readonly ingest: Ingest },
  run: AgentRunRef & { readonly messageId: string },
  graceMs: number,
  pollMs = 100,
): Promise<"complete" | "failed" | "streaming"> {
  const status = async () => (await deps.log.snapshot(run.threadId)).state.messages.find((m) => m.id === run.messageId)?.status;
  const deadline = Date.now() + graceMs;
  for (;;) {
    const now = await status();
    if (now !== "streaming") return now === "complete" ? "complete" : "failed";
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  await deps.ingest(run.threadId, [failureEvent(run, STOPPED)]);
  const final = await status();
  return final === "complete" ? "complete" : final === "streaming" ? "streaming" : "failed";
}
