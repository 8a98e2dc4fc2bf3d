export { fromBase64Url, fromHex, toBase64Url, toHex } from "./encoding.ts";
export * from "./run-secret.ts";
export * from "./session-token.ts";
export * from "./webhook-signature.ts";
