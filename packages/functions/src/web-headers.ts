import type { MiddlewareHandler } from "hono";

/**
 * The web app's Content Security Policy: its own scripts, styles and API only (no inline
 * script or style, nothing from elsewhere; replies' images are links, never loaded), and
 * no framing. The built app needs nothing more; `VITE_API_BASE` on another origin would
 * need that origin in `connect-src`.
 */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The headers every page and asset of the web app is served with (the API sets its own):
 * by the local server, and in the cloud by CloudFront's response headers policy
 * (`sst.config.ts`), from these same values.
 */
export const WEB_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": WEB_CSP,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Cross-Origin-Opener-Policy": "same-origin",
};

/** Adds {@link WEB_HEADERS} to what the static server answers. */
export const webHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(WEB_HEADERS)) c.res.headers.set(name, value);
};
