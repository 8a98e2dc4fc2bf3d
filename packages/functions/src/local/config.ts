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
  readonly observability: ObservabilityConfig;
}

/** Where the local server shows its metrics and sends its traces. */
export interface ObservabilityConfig {
  /** `METRICS_PORT`: a listener of its own serving `GET /metrics` (0: any free port); null: none (the default). */
  readonly metricsPort: number | null;
  /** `METRICS_HOST`: where that listener binds; loopback unless set. */
  readonly metricsHost: string;
  /** `METRICS_TOKEN`: serves `GET /api/metrics` on the app's own port to `Authorization: Bearer <token>`; null: that route is 404. */
  readonly metricsToken: string | null;
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`: export spans over OTLP/HTTP there; null: spans go nowhere (nothing of the SDK is loaded). */
  readonly otlpEndpoint: string | null;
}

/** Reads the observability settings (see {@link ObservabilityConfig}). @throws ConfigError naming the variable. */
export function readObservability(env: NodeJS.ProcessEnv): ObservabilityConfig {
  const port = env.METRICS_PORT?.trim();
  if (port && !(/^\d+$/.test(port) && Number(port) <= 65_535)) throw new ConfigError(`METRICS_PORT must be a port, 0-65535, got "${port}"`);
  const token = env.METRICS_TOKEN?.trim() || null;
  if (token !== null && token.length < 16) throw new ConfigError("METRICS_TOKEN must be at least 16 characters");
  const otlp = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || null;
  if (otlp !== null && !/^https?:\/\/[^\s]+$/.test(otlp))
    throw new ConfigError(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, got "${otlp}"`);
  return Object.freeze({
    metricsPort: port ? Number(port) : null,
    metricsHost: env.METRICS_HOST?.trim() || "127.0.0.1",
    metricsToken: token,
    otlpEndpoint: otlp,
  });
}

/**
 * Reads the local server's configuration from `env` (the one place that reads
 * `process.env` for the local server). Without `SESSION_SECRET` / `WEBHOOK_SECRET`,
 * local mode generates them once and keeps them in `<dataDir>/secrets.json`, so
 * sessions survive a restart and `npm start` needs no setup. A generated webhook secret
 * is a Standard Webhooks `whsec_` key, so agents can sign with the official libraries.
 */
export function loadLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const dataDir = resolve(env.MURMUR_DATA_DIR || ".murmur");
  if (env.SESSION_SECRET && env.WEBHOOK_SECRET) {
    return { config: readConfig(env, "local"), dataDir, secretsFrom: "environment", observability: readObservability(env) };
  }
  const file = join(dataDir, "secrets.json");
  const stored = readSecrets(file);
  const secrets = {
    SESSION_SECRET: env.SESSION_SECRET || stored.SESSION_SECRET || randomBytes(32).toString("base64url"),
    WEBHOOK_SECRET: env.WEBHOOK_SECRET || stored.WEBHOOK_SECRET || `whsec_${randomBytes(24).toString("base64")}`,
  };
  if (secrets.SESSION_SECRET !== stored.SESSION_SECRET || secrets.WEBHOOK_SECRET !== stored.WEBHOOK_SECRET) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { config: readConfig({ ...env, ...secrets }, "local"), dataDir, secretsFrom: file, observability: readObservability(env) };
}

function readSecrets(file: string): Partial<Record<"SESSION_SECRET" | "WEBHOOK_SECRET", string>> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new Error(`${file} is not valid JSON: fix or delete it (it holds generated secrets)`, { cause });
  }
}
