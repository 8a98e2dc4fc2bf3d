import { ConfigError } from "@murmur/core/config";

// The development tools' settings (the local Upstash REST server, the stream probe),
// read from the environment here and nowhere else.

/** Settings of the local Upstash REST server (`npm run upstash:local`). */
export interface UpstashEmulatorConfig {
  readonly redisUrl: string;
  readonly token: string;
  readonly port: number;
}

/** Reads `REDIS_URL` (default the local Redis), `UPSTASH_LOCAL_TOKEN` and `UPSTASH_LOCAL_PORT`. */
export function loadUpstashEmulatorConfig(env: NodeJS.ProcessEnv = process.env): UpstashEmulatorConfig {
  const port = Number(env.UPSTASH_LOCAL_PORT || 8079);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`UPSTASH_LOCAL_PORT must be a port number, got "${env.UPSTASH_LOCAL_PORT}"`);
  return { redisUrl: env.REDIS_URL || "redis://127.0.0.1:6379", token: env.UPSTASH_LOCAL_TOKEN || "local-dev-token", port };
}

/** Settings of the stream probe (`packages/functions/src/dev/stream-probe.ts`). */
export interface StreamProbeConfig {
  /** The app's URL (the router's): sessions, threads and the signed webhook go there. */
  readonly apiBase: string;
  /** Where the stream is opened: the app's URL, or the Stream function's own URL to leave CloudFront out. */
  readonly streamBase: string;
  readonly webhookSecret: string;
  readonly frames: number;
  readonly intervalMs: number;
}

/** Reads `MURMUR_URL`, `MURMUR_STREAM_URL`, `WEBHOOK_SECRET`, `PROBE_FRAMES` (20) and `PROBE_INTERVAL_MS` (500). */
export function loadStreamProbeConfig(env: NodeJS.ProcessEnv = process.env): StreamProbeConfig {
  const url = (name: string, value: string | undefined) => {
    if (!value || !/^https?:\/\//.test(value))
      throw new ConfigError(`${name} must be the app's http(s) URL, e.g. the "url" output of sst deploy`);
    return value.replace(/\/+$/, "");
  };
  const count = (name: string, fallback: number) => {
    const value = Number(env[name] || fallback);
    if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a whole number, got "${env[name]}"`);
    return value;
  };
  const apiBase = url("MURMUR_URL", env.MURMUR_URL);
  if (!env.WEBHOOK_SECRET) throw new ConfigError("WEBHOOK_SECRET is required: the stage's WebhookSecret (npx sst secret list)");
  return {
    apiBase,
    streamBase: env.MURMUR_STREAM_URL ? url("MURMUR_STREAM_URL", env.MURMUR_STREAM_URL) : apiBase,
    webhookSecret: env.WEBHOOK_SECRET,
    frames: Math.max(1, count("PROBE_FRAMES", 20)),
    intervalMs: count("PROBE_INTERVAL_MS", 500),
  };
}
