export * from "./agent-webhook.ts";
export { fromBase64Url, fromHex, toBase64Url, toHex } from "./encoding.ts";
export * from "./run-secret.ts";
export * from "./session-token.ts";
export * from "./standard-webhook.ts";
export * from "./webhook-signature.ts";
