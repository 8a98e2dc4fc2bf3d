import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, type MurmurConfig, readConfig } from "@murmur/core/config";

/** The local server's settings, and where its data lives. */
export interface LocalConfig {
  readonly config: MurmurConfig;
  /** Folder for local state (generated secrets); `MURMUR_DATA_DIR`, default `.murmur`. */
  readonly dataDir: string;
  /** Where the secrets came from: the environment, or a file generated on first start. */
  readonly secretsFrom: "environment" | string;
}

/**
 * Reads the local server's configuration from `env` (the one place that reads
 * `process.env` in this package). Without `SESSION_SECRET` / `WEBHOOK_SECRET`, local
 * mode generates them once and keeps them in `<dataDir>/secrets.json`, so sessions
 * survive a restart and `npm start` needs no setup.
 */
export function loadLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const dataDir = resolve(env.MURMUR_DATA_DIR || ".murmur");
  if (env.SESSION_SECRET && env.WEBHOOK_SECRET) {
    return { config: readConfig(env, "local"), dataDir, secretsFrom: "environment" };
  }
  const file = join(dataDir, "secrets.json");
  const stored = readSecrets(file);
  const secrets = {
    SESSION_SECRET: env.SESSION_SECRET || stored.SESSION_SECRET || randomBytes(32).toString("base64url"),
    WEBHOOK_SECRET: env.WEBHOOK_SECRET || stored.WEBHOOK_SECRET || randomBytes(24).toString("base64url"),
  };
  if (secrets.SESSION_SECRET !== stored.SESSION_SECRET || secrets.WEBHOOK_SECRET !== stored.WEBHOOK_SECRET) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { config: readConfig({ ...env, ...secrets }, "local"), dataDir, secretsFrom: file };
}

function readSecrets(file: string): Partial<Record<"SESSION_SECRET" | "WEBHOOK_SECRET", string>> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new Error(`${file} is not valid JSON: fix or delete it (it holds generated secrets)`, { cause });
  }
}

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

/** A Lambda function's settings (see sst.config.ts). */
export interface CloudConfig {
  readonly config: MurmurConfig;
  /** The Agent function's name when it is linked (Api: send starts runs there); null elsewhere. */
  readonly agentFunction: string | null;
}

/**
 * Reads a cloud function's configuration: what is linked to it from `resource` (SST's
 * `Resource`: the Upstash database and key prefix, the secrets, the Agent function),
 * and the settings that are not secrets from `env` (each function's environment in
 * sst.config.ts). Secrets come only from links, never from the environment.
 * @throws ConfigError naming the link or variable that is missing or wrong.
 */
export function loadCloudConfig(resource: object, env: NodeJS.ProcessEnv = process.env): CloudConfig {
  const upstash = linked(resource, "Upstash", ["restUrl", "restToken", "tcpUrl", "keyPrefix"]);
  const secret = (name: string) => linked(resource, name, ["value"]).value;
  // Optional keys are linked with an empty placeholder until `sst secret set` gives them a value.
  const optionalSecret = (name: string) => (name in resource ? secret(name) || undefined : undefined);
  const config = readConfig(
    {
      ...env,
      UPSTASH_REDIS_REST_URL: upstash.restUrl,
      UPSTASH_REDIS_REST_TOKEN: upstash.restToken,
      REDIS_URL: upstash.tcpUrl,
      MURMUR_KEY_PREFIX: upstash.keyPrefix,
      SESSION_SECRET: secret("SessionSecret"),
      WEBHOOK_SECRET: secret("WebhookSecret"),
      OPENAI_API_KEY: optionalSecret("OpenAiApiKey"),
      LANGGRAPH_API_KEY: optionalSecret("LangGraphApiKey"),
    },
    "cloud",
  );
  return { config, agentFunction: "Agent" in resource ? linked(resource, "Agent", ["name"]).name : null };
}

/** A link's string properties. @throws ConfigError naming the link or property that is missing. */
function linked<K extends string>(resource: object, name: string, keys: readonly K[]): Record<K, string> {
  if (!(name in resource)) throw new ConfigError(`${name} is not linked to this function (link it in sst.config.ts)`);
  const value: unknown = (resource as Record<string, unknown>)[name];
  const properties = {} as Record<K, string>;
  for (const key of keys) {
    const property = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    if (typeof property !== "string") throw new ConfigError(`${name}.${key} must be a string (see its link in sst.config.ts)`);
    properties[key] = property;
  }
  return properties;
}
