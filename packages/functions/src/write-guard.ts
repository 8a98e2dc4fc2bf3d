import { ForbiddenError, UnsupportedMediaTypeError } from "@murmur/core/errors";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./deps.ts";
import { headerToken } from "./session.ts";

/**
 * Writes that a foreign page could make a browser send are refused (CSRF). The session
 * cookie is `SameSite=Lax`, which keeps it off cross-site POSTs in current browsers, but
 * not off same-site ones (a sibling subdomain) nor off every browser; so:
 *
 * - A write's body must be declared `application/json`: a request with any other
 *   `Content-Type`, or a body without one, gets 415. An HTML form can send only
 *   `text/plain`, `multipart/form-data` and `application/x-www-form-urlencoded`, and a
 *   page's `fetch` can send JSON elsewhere only after a CORS preflight this app never
 *   grants. Bodiless writes (stop, close a stream, delete) declare nothing.
 * - A write that carries no token in a header (`X-Murmur-Token`, or `Authorization:
 *   Bearer` locally), so the cookie or nothing, must
 *   come from this app's own pages: `Sec-Fetch-Site: same-origin` (or `none`), else an
 *   `Origin` that is this request's own origin, its `X-Forwarded-Host`'s, or
 *   `PUBLIC_URL`'s; 403 otherwise. A request with neither header is not from a browser
 *   that could be led astray (curl, a server), and passes. A header token is never sent
 *   by a browser on its own (and a page can send one elsewhere only after a preflight), so
 *   such writes skip this check.
 */
export function guardWrites(publicUrl: string | null): MiddlewareHandler<AppEnv> {
  const configured = publicUrl ? new URL(publicUrl).origin : null;
  return async (c, next) => {
    checkContentType(c);
    if (headerToken(c) === undefined) checkOrigin(c, configured);
    await next();
  };
}

function checkContentType(c: Context): void {
  const type = c.req.header("Content-Type");
  if (type !== undefined) {
    const mediaType = type.split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "application/json") {
      throw new UnsupportedMediaTypeError(`Content-Type ${mediaType || "(empty)"} is not accepted: send the body as application/json`);
    }
    return;
  }
  const length = c.req.header("Content-Length");
  const hasBody = c.req.header("Transfer-Encoding") !== undefined || (length !== undefined && length !== "0");
  if (hasBody) throw new UnsupportedMediaTypeError("the body has no Content-Type: send it as application/json");
}

function checkOrigin(c: Context, configured: string | null): void {
  const site = c.req.header("Sec-Fetch-Site");
  if (site === "same-origin" || site === "none") return;
  const origin = c.req.header("Origin");
  if (origin === undefined) {
    if (site === undefined) return;
    throw new ForbiddenError(`a ${site} write is refused: only this app's pages may write with the session cookie`);
  }
  if (ownOrigins(c, configured).includes(origin)) return;
  throw new ForbiddenError(`a write from Origin ${origin} is refused: only this app's pages may write with the session cookie`);
}

function ownOrigins(c: Context, configured: string | null): string[] {
  const url = new URL(c.req.url);
  const origins = [url.origin];
  const forwardedHost = c.req.header("X-Forwarded-Host")?.split(",")[0]?.trim();
  if (forwardedHost) {
    const proto = c.req.header("X-Forwarded-Proto")?.split(",")[0]?.trim() || url.protocol.slice(0, -1);
    origins.push(`${proto}://${forwardedHost}`);
  }
  if (configured) origins.push(configured);
  return origins;
}
