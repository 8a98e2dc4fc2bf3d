/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the API is served; same origin by default. Read only by config.ts. */
  readonly VITE_API_BASE?: string;
}
