import { newId } from "@murmur/core/chat";
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";
import { sessionToken, setSessionCookie } from "../session.ts";

/**
 * `POST /api/session`: the caller's session. A still-valid token (cookie or bearer) is
 * renewed for the same session; otherwise a new anonymous session starts. Sets the
 * HttpOnly cookie and returns the token for non-browser clients, and the stream policy
 * browsers follow (`stream`: see README "Configuration", `STREAM_POLICY`).
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
    // How this deployment wants browsers to hold streams (STREAM_POLICY): the web app reads it here.
    const { policy, lingerMs, idleCheckMs } = deps.config.stream;
    return c.json({ sessionId, token, expiresAt: session.expiresAt, stream: { policy, lingerMs, idleCheckMs } });
  });
}
