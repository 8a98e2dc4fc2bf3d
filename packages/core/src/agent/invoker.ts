import type { RunRequest } from "./run-turn.ts";

/**
 * Starts an agent run without waiting for it. Local mode runs it as an in-process
 * task; the cloud invokes the Agent function asynchronously. `invoke` resolves once the
 * run is handed off (not when it ends) and rejects when it could not be.
 */
export interface AgentInvoker {
  invoke(request: RunRequest): Promise<void>;
}

/** Runs each request as a task in this process; `idle` resolves when none is running. */
export interface InProcessInvoker extends AgentInvoker {
  idle(): Promise<void>;
}

/**
 * The local invoker: calls `run` in the background. A failing run is reported to
 * `onError` (the log was unreachable: there is nowhere to record it).
 */
export function createInProcessInvoker(
  run: (request: RunRequest) => Promise<unknown>,
  onError: (error: unknown, request: RunRequest) => void,
): InProcessInvoker {
  const running = new Set<Promise<unknown>>();
  return {
    async invoke(request) {
      const task = run(request)
        .catch((error: unknown) => onError(error, request))
        .finally(() => running.delete(task));
      running.add(task);
    },
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}
