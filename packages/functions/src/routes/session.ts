import { newId } from "@murmur/core/chat";
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";
import { sessionToken, setSessionCookie } from "../session.ts";

/**
 * `POST /api/session`: the caller's session. A still-valid token (cookie or bearer) is
 * renewed for the same session; otherwise a new anonymous session starts. Sets the
 * HttpOnly cookie and returns the token for non-browser clients, whether chats outlive a
 * restart (`persistent`), and the stream policy browsers follow (`stream`: see README
 * "Configuration", `STREAM_POLICY`, `RUN_LEASE_MS`).
 */
export function sessionRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().post("/session", async (c) => {
    let sessionId = newId("s");
    const existing = sessionToken(c);
    if (existing) {
      sessionId = await deps.sessions.verify(existing).then(
        (session) => session.sessionId,
        () => sessionId,
      );
    }
    const { token, session } = await deps.sessions.issue(sessionId);
    setSessionCookie(c, token, deps.config.sessionTtlSeconds);
    // How this deployment wants browsers to hold streams (STREAM_POLICY), and how long a
    // reply may show no progress before its writer is taken for gone (RUN_LEASE_MS): the
    // web app reads them here. `persistent` false: chats live in this process's memory
    // only, so a restart loses them, and the web app says so when a thread is gone.
    const { policy, lingerMs, idleCheckMs } = deps.config.stream;
    const { adapter, runLeaseMs } = deps.config.eventLog;
    return c.json({
      sessionId,
      token,
      expiresAt: session.expiresAt,
      persistent: adapter !== "memory",
      stream: { policy, lingerMs, idleCheckMs, runLeaseMs },
    });
  });
}
