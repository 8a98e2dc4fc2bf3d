import { UnauthorizedError } from "../errors/index.ts";
import { createStandardWebhookVerifier, STANDARD_WEBHOOK_HEADERS } from "./standard-webhook.ts";
import { createWebhookVerifier, SIGNATURE_HEADER } from "./webhook-signature.ts";

/** How an agent's webhook was signed, and the delivery's idempotency key when the scheme has one. */
export type VerifiedWebhook = { readonly scheme: "standard"; readonly webhookId: string } | { readonly scheme: "legacy" };

/** Verifies an agent's webhook in either scheme it may be signed with. */
export interface AgentWebhookVerifier {
  /**
   * Standard Webhooks when `webhook-signature` (or `webhook-id`) is present, else the
   * legacy `X-Murmur-Signature`. `header` reads a request header by name.
   * @throws UnauthorizedError saying what is missing or wrong; nothing is parsed before.
   */
  verify(header: (name: string) => string | undefined, rawBody: string, nowSeconds?: number): Promise<VerifiedWebhook>;
}

/** A verifier of both schemes for the one `WEBHOOK_SECRET`. */
export function createAgentWebhookVerifier(secret: string): AgentWebhookVerifier {
  const standard = createStandardWebhookVerifier(secret);
  const legacy = createWebhookVerifier(secret);
  const { id, timestamp, signature } = STANDARD_WEBHOOK_HEADERS;
  return {
    async verify(header, rawBody, now) {
      if (header(signature) !== undefined || header(id) !== undefined) {
        const webhookId = await standard.verify(
          { id: header(id), timestamp: header(timestamp), signature: header(signature) },
          rawBody,
          now,
        );
        return { scheme: "standard", webhookId };
      }
      if (header(SIGNATURE_HEADER) === undefined) {
        throw new UnauthorizedError(
          `unsigned webhook: sign it per Standard Webhooks (${signature}, ${id}, ${timestamp}) or with ${SIGNATURE_HEADER}`,
        );
      }
      await legacy.verify(header(SIGNATURE_HEADER), rawBody, now);
      return { scheme: "legacy" };
    },
  };
}
