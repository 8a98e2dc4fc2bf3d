import { createHmac, timingSafeEqual } from "node:crypto";

// HMAC-SHA256 with node:crypto: synchronous, and several times cheaper per call than Web
// Crypto's promise round trips (every SSE open and API request verifies a session token).
// Both runtimes are Node (the local server, and Lambda's nodejs22.x); the browser never
// imports auth.

/** HMAC-SHA256 of `data` keyed with `key`. */
export function hmacSha256(key: string | Uint8Array, data: string | Uint8Array): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

/** True when `expected` equals `candidate`, compared in constant time (false for different lengths). */
export function macEquals(expected: Uint8Array, candidate: Uint8Array): boolean {
  return expected.length === candidate.length && timingSafeEqual(expected, candidate);
}
