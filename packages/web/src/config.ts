/** The web app's configuration, read from `import.meta.env` once, here and nowhere else. */
export interface WebConfig {
  /** Base of every API path, without a trailing slash: `/api`, or an absolute URL. */
  readonly apiBase: string;
}

/**
 * Validates the `VITE_*` variables.
 * @throws Error naming the variable when a value cannot work.
 */
export function readConfig(env: { readonly VITE_API_BASE?: string }): WebConfig {
  const apiBase = (env.VITE_API_BASE || "/api").replace(/\/+$/, "");
  if (!/^(\/|https?:\/\/)/.test(apiBase)) {
    throw new Error(`VITE_API_BASE must be a path starting with "/" or an http(s) URL, got "${apiBase}"`);
  }
  return Object.freeze({ apiBase });
}

export const config: WebConfig = readConfig(import.meta.env);
