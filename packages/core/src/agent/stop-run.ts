import type { AgentRunRef } from "./agent.ts";
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
