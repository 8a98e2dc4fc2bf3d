import { UnauthorizedError } from "@murmur/core/errors";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppDeps, AppEnv } from "./deps.ts";

/** The HttpOnly cookie that carries the session token for browsers. */
export const SESSION_COOKIE = "murmur_session";

/**
 * The header that carries a session token for clients without the cookie. In the cloud
 * CloudFront signs each request to Api and Stream (Origin Access Control), which puts
 * its own `Authorization` in place of the caller's: a token must come here instead.
 */
export const TOKEN_HEADER = "X-Murmur-Token";

/** The caller's token: `X-Murmur-Token`, then `Authorization: Bearer` (the local server; overwritten in the cloud), then the cookie. */
export function sessionToken(c: Context): string | undefined {
  return headerToken(c) ?? getCookie(c, SESSION_COOKIE);
}

/** A token the caller put in a header itself (which no browser does on a page's behalf). */
export function headerToken(c: Context): string | undefined {
  const token = c.req.header(TOKEN_HEADER)?.trim();
  if (token) return token;
  const header = c.req.header("Authorization");
  if (header?.startsWith("Bearer ")) return header.slice(7).trim();
  return undefined;
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
    if (!token)
      throw new UnauthorizedError(
        `no session: POST /api/session first, then send its cookie or ${TOKEN_HEADER}: <token> (Authorization: Bearer <token> locally)`,
      );
    const session = await deps.sessions.verify(token);
    c.set("sessionId", session.sessionId);
    await next();
  };
}
