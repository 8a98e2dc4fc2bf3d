const cache = new Map<string, Promise<string>>();

/** The SHA-1 hex of a Lua script, as `EVALSHA` names it. */
export function scriptSha(script: string): Promise<string> {
  let sha = cache.get(script);
  if (!sha) {
    sha = crypto.subtle.digest("SHA-1", new TextEncoder().encode(script)).then((digest) => {
      let hex = "";
      for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, "0");
      return hex;
    });
    cache.set(script, sha);
  }
  return sha;
}

/** True for Redis's "script not cached" error, on either transport. */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.includes("NOSCRIPT");
}
