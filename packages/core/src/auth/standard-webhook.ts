import { UnauthorizedError } from "../errors/index.ts";
import { hmacSha256, macEquals } from "./hmac.ts";
import { SIGNATURE_TOLERANCE_SECONDS } from "./webhook-signature.ts";

/** The Standard Webhooks headers (https://www.standardwebhooks.com/), lower-case as they arrive. */
export const STANDARD_WEBHOOK_HEADERS = { id: "webhook-id", timestamp: "webhook-timestamp", signature: "webhook-signature" } as const;

/** What a Standard Webhooks delivery carries in its headers. */
export interface StandardWebhookHeaders {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

/** Verifies deliveries signed per the Standard Webhooks specification. */
export interface StandardWebhookVerifier {
  /**
   * Checks `webhook-signature` (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`,
   * several space-separated while a secret rotates) and that `webhook-timestamp` is
   * within 5 minutes. Returns the `webhook-id`, the delivery's idempotency key.
   * @throws UnauthorizedError saying which header is missing, malformed, stale or wrong.
   */
  verify(headers: StandardWebhookHeaders, rawBody: string, nowSeconds?: number): Promise<string>;
}

const encoder = new TextEncoder();

/**
 * The key a secret stands for, as the official `standardwebhooks` libraries read it: a
 * `whsec_<base64>` secret is the base64-decoded bytes; any other secret is its own
 * UTF-8 bytes (those libraries' `format: "raw"`), so a secret made before this scheme
 * keeps working for both schemes.
 */
export function standardWebhookKey(secret: string): Uint8Array<ArrayBuffer> {
  if (!secret.startsWith("whsec_")) return encoder.encode(secret) as Uint8Array<ArrayBuffer>;
  const base64 = secret.slice("whsec_".length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw new TypeError("a whsec_ secret must be followed by base64");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** A verifier for `secret` (see {@link standardWebhookKey}). */
export function createStandardWebhookVerifier(secret: string, toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS): StandardWebhookVerifier {
  const key = standardWebhookKey(secret);
  const { id: ID, timestamp: TS, signature: SIG } = STANDARD_WEBHOOK_HEADERS;
  return {
    async verify(headers, rawBody, now = Math.floor(Date.now() / 1000)) {
      if (!headers.id || !headers.timestamp || !headers.signature) {
        const missing = [!headers.id && ID, !headers.timestamp && TS, !headers.signature && SIG].filter(Boolean).join(", ");
        throw new UnauthorizedError(`missing Standard Webhooks header: ${missing}`);
      }
      if (!/^\d{1,12}$/.test(headers.timestamp)) throw new UnauthorizedError(`malformed ${TS}: expected unix seconds`);
      if (Math.abs(now - Number(headers.timestamp)) > toleranceSeconds) {
        throw new UnauthorizedError(`stale ${TS}: more than ${toleranceSeconds} s from now`);
      }
      const signatures = headers.signature
        .split(" ")
        .map((entry) => entry.split(","))
        .flatMap(([version, value]) => (version === "v1" && value ? [fromBase64(value)] : []))
        .filter((bytes): bytes is Uint8Array<ArrayBuffer> => bytes?.length === 32);
      if (signatures.length === 0) throw new UnauthorizedError(`malformed ${SIG}: expected v1,<base64 HMAC-SHA256>`);
      const expected = hmacSha256(key, `${headers.id}.${headers.timestamp}.${rawBody}`);
      for (const signature of signatures) if (macEquals(expected, signature)) return headers.id;
      throw new UnauthorizedError(`${SIG} does not match the body`);
    },
  };
}
