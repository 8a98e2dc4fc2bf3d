/** The child side of launch.ts: answers requests from the benchmark's parent process. */
export type Handler = (payload: Record<string, unknown>) => unknown;

/**
 * Answers `{op, id}` requests with `{op: "reply", id, ok, value | error}`, then announces
 * `{op: "ready", ...ready}`. `exit` runs `onExit` and ends the process; losing the parent
 * (it crashed or was killed) ends it too, so no child outlives a run.
 */
export function serveParent(handlers: Record<string, Handler>, ready: Record<string, unknown>, onExit: () => Promise<void>): void {
  const exit = async () => {
    await Promise.race([onExit().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    process.exit(0);
  };
  process.on("disconnect", () => void exit());
  process.on("message", async (raw) => {
    const { op, id, ...payload } = raw as { op: string; id?: number } & Record<string, unknown>;
    if (op === "exit") return void exit();
    const handler = handlers[op];
    try {
      if (!handler) throw new Error(`unknown request ${op}`);
      const value = await handler(payload);
      process.send?.({ op: "reply", id, ok: true, value });
    } catch (error) {
      process.send?.({ op: "reply", id, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  });
  process.send?.({ op: "ready", pid: process.pid, ...ready });
}

/** Sends a message the parent did not ask for (e.g. progress). */
export function tellParent(message: Record<string, unknown>): void {
  process.send?.(message);
}
