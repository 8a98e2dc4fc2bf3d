import { UnauthorizedError } from "@murmur/core/errors";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppDeps, AppEnv } from "./deps.ts";

/** The HttpOnly cookie that carries the session token for browsers. */
export const SESSION_COOKIE = "murmur_session";

/** The caller's token: `Authorization: Bearer` first, then the cookie. */
export function sessionToken(c: Context): string | undefined {
  const header = c.req.header("Authorization");
  if (header?.startsWith("Bearer ")) return header.slice(7).trim();
  return getCookie(c, SESSION_COOKIE);
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS, scoped to the API. */
export function setSessionCookie(c: Context, token: string, maxAgeSeconds: number): void {
  const https = new URL(c.req.url).protocol === "https:" || c.req.header("X-Forwarded-Proto") === "https";
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: "Lax", secure: https, path: "/api", maxAge: maxAgeSeconds });
}

/** Requires a valid session; sets `sessionId`. Answers 401 naming why otherwise. */
export function requireSession(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = sessionToken(c);
    if (!token) throw new UnauthorizedError("no session: POST /api/session first, then send its cookie or Authorization: Bearer <token>");
    const session = await deps.sessions.verify(token);
    c.set("sessionId", session.sessionId);
    await next();
  };
}
