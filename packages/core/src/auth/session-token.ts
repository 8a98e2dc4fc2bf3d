import { UnauthorizedError } from "../errors/index.ts";
import { fromBase64Url, toBase64Url, utf8 } from "./encoding.ts";
import { hmacSha256, macEquals } from "./hmac.ts";

/** What a valid session token proves. */
export interface Session {
  readonly sessionId: string;
  /** Unix seconds after which the token is refused. */
  readonly expiresAt: number;
}

/** Issues and verifies session tokens: `v1.<base64url JSON {sid, exp}>.<base64url HMAC-SHA256>`. */
export interface SessionTokens {
  issue(sessionId: string, nowSeconds?: number): Promise<{ token: string; session: Session }>;
  /** @throws UnauthorizedError for a malformed, forged or expired token, saying which. */
  verify(token: string, nowSeconds?: number): Promise<Session>;
}

const nowInSeconds = () => Math.floor(Date.now() / 1000);

/** Session tokens signed with `secret` (at least 32 characters), valid for `ttlSeconds`. */
export function createSessionTokens(secret: string, ttlSeconds: number): SessionTokens {
  if (secret.length < 32) throw new TypeError("session secret must be at least 32 characters");
  return {
    async issue(sessionId, now = nowInSeconds()) {
      const session = { sessionId, expiresAt: now + ttlSeconds };
      const payload = toBase64Url(utf8(JSON.stringify({ sid: sessionId, exp: session.expiresAt })));
      const signature = hmacSha256(secret, `v1.${payload}`);
      return { token: `v1.${payload}.${toBase64Url(signature)}`, session };
    },
    async verify(token, now = nowInSeconds()) {
      const [version, payload, signature, ...rest] = token.split(".");
      const signatureBytes = signature === undefined ? null : fromBase64Url(signature);
      if (version !== "v1" || !payload || !signatureBytes || rest.length > 0) {
        throw new UnauthorizedError("malformed session token");
      }
      if (!macEquals(hmacSha256(secret, `v1.${payload}`), signatureBytes))
        throw new UnauthorizedError("session token signature does not match");
      const claims = parseClaims(payload);
      if (!claims) throw new UnauthorizedError("malformed session token");
      if (claims.exp <= now) throw new UnauthorizedError("session token expired");
      return { sessionId: claims.sid, expiresAt: claims.exp };
    },
  };
}

function parseClaims(payload: string): { sid: string; exp: number } | null {
  const bytes = fromBase64Url(payload);
  if (!bytes) return null;
  try {
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as { sid?: unknown; exp?: unknown };
    if (typeof claims.sid !== "string" || typeof claims.exp !== "number") return null;
    return { sid: claims.sid, exp: claims.exp };
  } catch {
    return null;
  }
}
