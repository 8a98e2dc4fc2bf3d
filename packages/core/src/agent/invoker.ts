import type { AgentRunRef } from "./agent.ts";
import { type RunRequest, ShutdownError } from "./run-turn.ts";

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
  /**
   * Stops taking work, aborts every run in progress with `ShutdownError` (their replies
   * fail retryably: send again) and waits up to `graceMs` for them to record it.
   */
  shutdown(graceMs: number): Promise<void>;
}

/** The work an in-process invoker runs in the background. */
export interface InProcessWork {
  run(request: RunRequest, signal: AbortSignal): Promise<unknown>;
  stop(run: AgentRunRef): Promise<unknown>;
  /** A failing task is reported here (e.g. the log was unreachable: there is nowhere to record it). */
  onError(error: unknown, what: string): void;
}

/** The local invoker: runs and stops as tasks in this process. */
export function createInProcessInvoker(work: InProcessWork): InProcessInvoker {
  const running = new Set<Promise<unknown>>();
  const runs = new Set<AbortController>();
  let shuttingDown = false;
  const start = (task: Promise<unknown>, what: string) => {
    const tracked = task.catch((error: unknown) => work.onError(error, what)).finally(() => running.delete(tracked));
    running.add(tracked);
  };
  return {
    async invoke(request) {
      if (shuttingDown) throw new ShutdownError();
      const controller = new AbortController();
      runs.add(controller);
      start(
        work.run(request, controller.signal).finally(() => runs.delete(controller)),
        `agent run for ${request.threadId}/${request.userMessageId}`,
      );
    },
    async cancel(run) {
      start(work.stop(run), `stopping run ${run.threadId}/${run.runId}`);
    },
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
    async shutdown(graceMs) {
      shuttingDown = true;
      for (const controller of runs) controller.abort(new ShutdownError());
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.idle(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    },
  };
}
