import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";

/** `GET /api/health`: liveness, whether the event log answers, and open streams. */
export function healthRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/health", async (c) => {
    const started = performance.now();
    const eventLog = await deps.log.ping().then(
      () => ({ adapter: deps.log.name, ok: true as const, latencyMs: Math.round((performance.now() - started) * 10) / 10 }),
      (error: unknown) => ({ adapter: deps.log.name, ok: false as const, error: error instanceof Error ? error.message : String(error) }),
    );
    const body = {
      status: eventLog.ok ? "ok" : "degraded",
      mode: deps.config.mode,
      eventLog,
      streams: { open: deps.streams.current, total: deps.streams.total },
    };
    return c.json(body, eventLog.ok ? 200 : 503);
  });
}
