import { UnauthorizedError } from "../errors/index.ts";
import { fromHex, toHex } from "./encoding.ts";
import { hmacSha256, macEquals } from "./hmac.ts";

/** The header that carries a webhook's signature in the legacy scheme (Standard Webhooks is the documented one). */
export const SIGNATURE_HEADER = "X-Murmur-Signature";
/** Signatures older or newer than this are refused, so a captured request cannot be replayed later. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const nowInSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Signs a webhook body: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
 * Agents compute the same; see the README for a shell one-liner.
 */
export async function signWebhook(secret: string, rawBody: string, timestamp = nowInSeconds()): Promise<string> {
  return `t=${timestamp},v1=${toHex(hmacSha256(secret, `${timestamp}.${rawBody}`))}`;
}

/** Verifies webhook signatures made with {@link signWebhook}. */
export interface WebhookVerifier {
  /** @throws UnauthorizedError saying whether the header is missing, malformed, stale or wrong. */
  verify(header: string | null | undefined, rawBody: string, nowSeconds?: number): Promise<void>;
}

/**
 * A verifier for `secret`. Several `v1=` entries are accepted (any one may match), so a
 * sender can sign with an old and a new secret while the secret rotates.
 */
export function createWebhookVerifier(secret: string, toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS): WebhookVerifier {
  return {
    async verify(header, rawBody, now = nowInSeconds()) {
      if (!header) throw new UnauthorizedError(`missing ${SIGNATURE_HEADER} header`);
      let timestamp: number | null = null;
      const signatures: Uint8Array<ArrayBuffer>[] = [];
      for (const part of header.split(",")) {
        const [name, value = ""] = part.trim().split("=", 2);
        if (name === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
        if (name === "v1") {
          const bytes = fromHex(value);
          if (bytes && bytes.length === 32) signatures.push(bytes);
        }
      }
      if (timestamp === null || signatures.length === 0) {
        throw new UnauthorizedError(`malformed ${SIGNATURE_HEADER} header: expected t=<unix seconds>,v1=<hex>`);
      }
      if (Math.abs(now - timestamp) > toleranceSeconds) {
        throw new UnauthorizedError(`stale ${SIGNATURE_HEADER}: timestamp is more than ${toleranceSeconds} s from now`);
      }
      const expected = hmacSha256(secret, `${timestamp}.${rawBody}`);
      for (const signature of signatures) if (macEquals(expected, signature)) return;
      throw new UnauthorizedError(`${SIGNATURE_HEADER} does not match the body`);
    },
  };
}
