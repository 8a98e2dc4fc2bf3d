/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the API is served; same origin by default. Read only by config.ts. */
  readonly VITE_API_BASE?: string;
  /** Milliseconds a tab may stay hidden before its stream closes; default 60000. */
  readonly VITE_HIDDEN_CLOSE_MS?: string;
}
