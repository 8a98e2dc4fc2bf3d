/** The web app's configuration, read from `import.meta.env` once, here and nowhere else. */
export interface WebConfig {
  /** Base of every API path, without a trailing slash: `/api`, or an absolute URL. */
  readonly apiBase: string;
  /** How long a tab may stay hidden before its stream closes (it resumes when shown). */
  readonly hiddenCloseMs: number;
}

/**
 * Validates the `VITE_*` variables.
 * @throws Error naming the variable when a value cannot work.
 */
export function readConfig(env: { readonly VITE_API_BASE?: string; readonly VITE_HIDDEN_CLOSE_MS?: string }): WebConfig {
  const apiBase = (env.VITE_API_BASE || "/api").replace(/\/+$/, "");
  if (!/^(\/|https?:\/\/)/.test(apiBase)) {
    throw new Error(`VITE_API_BASE must be a path starting with "/" or an http(s) URL, got "${apiBase}"`);
  }
  const hiddenCloseMs = Number(env.VITE_HIDDEN_CLOSE_MS || 60_000);
  if (!Number.isInteger(hiddenCloseMs) || hiddenCloseMs < 0) {
    throw new Error(`VITE_HIDDEN_CLOSE_MS must be a whole number of milliseconds, got "${env.VITE_HIDDEN_CLOSE_MS}"`);
  }
  return Object.freeze({ apiBase, hiddenCloseMs });
}

export const config: WebConfig = readConfig(import.meta.env);
