import type { AgentRunRef } from "./agent.ts";
import type { RunRequest } from "./run-turn.ts";

/**
 * Starts agent work without waiting for it, where the agent's configuration lives.
 * Local mode runs it as an in-process task; the cloud invokes the Agent function
 * asynchronously. Each method resolves once the work is handed off (not when it ends)
 * and rejects when it could not be.
 */
export interface AgentInvoker {
  /** Runs the agent for a user message (see `runAgentTurn`). */
  invoke(request: RunRequest): Promise<void>;
  /**
   * Stops a run whose `run.cancel_requested` is already in the log, at the provider of
   * a webhook agent that took the run over (see `stopHandedOffRun`). A run still in its
   * runner stops by itself on that event; for those agents this is a no-op.
   */
  cancel(run: AgentRunRef): Promise<void>;
}

/** Runs each request as a task in this process; `idle` resolves when none is running. */
export interface InProcessInvoker extends AgentInvoker {
  idle(): Promise<void>;
}

/** The work an in-process invoker runs in the background. */
export interface InProcessWork {
  run(request: RunRequest): Promise<unknown>;
  stop(run: AgentRunRef): Promise<unknown>;
  /** A failing task is reported here (e.g. the log was unreachable: there is nowhere to record it). */
  onError(error: unknown, what: string): void;
}

/** The local invoker: runs and stops as tasks in this process. */
export function createInProcessInvoker(work: InProcessWork): InProcessInvoker {
  const running = new Set<Promise<unknown>>();
  const start = (task: Promise<unknown>, what: string) => {
    const tracked = task.catch((error: unknown) => work.onError(error, what)).finally(() => running.delete(tracked));
    running.add(tracked);
  };
  return {
    async invoke(request) {
      start(work.run(request), `agent run for ${request.threadId}/${request.userMessageId}`);
    },
    async cancel(run) {
      start(work.stop(run), `stopping run ${run.threadId}/${run.runId}`);
    },
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}
