/** Where Murmur runs: one Node process, or AWS Lambda. */
export type Mode = "local" | "cloud";

/** Every setting, validated once at start-up. Frozen. */
export interface MurmurConfig {
  readonly mode: Mode;
  readonly host: string;
  readonly port: number;
  readonly sessionSecret: string;
  readonly webhookSecret: string;
  readonly sessionTtlSeconds: number;
  readonly eventLog: { readonly adapter: "memory"; readonly maxEventsPerThread: number };
  readonly sse: {
    readonly heartbeatMs: number;
    readonly maxDurationMs: number;
    readonly retryMs: number;
    readonly padBytes: number;
  };
  readonly agent: {
    readonly kind: "demo";
    readonly paceMs: number;
    readonly deltaWindowMs: number;
    readonly historyLimit: number;
  };
}

/** A variable is missing or wrong; the message names it. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function secret(env: Env, name: string, minLength: number): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${name} is required`);
  if (value.length < minLength) throw new ConfigError(`${name} must be at least ${minLength} characters`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = env[name]?.trim() || fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(", ")}, got "${value}"`);
  }
  return value as T;
}

/**
 * Reads and validates the configuration from an environment-like record (the caller
 * passes `process.env`, or values from `Resource` in the cloud).
 * @throws ConfigError naming the first variable that is missing or wrong.
 */
export function readConfig(env: Env, mode: Mode): MurmurConfig {
  const heartbeatMs = integer(env, "SSE_HEARTBEAT_MS", 15_000, 100, 15_000);
  const config: MurmurConfig = {
    mode,
    host: env.HOST?.trim() || "127.0.0.1",
    port: integer(env, "PORT", 3000, 0, 65_535),
    sessionSecret: secret(env, "SESSION_SECRET", 32),
    webhookSecret: secret(env, "WEBHOOK_SECRET", 16),
    sessionTtlSeconds: integer(env, "SESSION_TTL_SECONDS", 30 * 24 * 3600, 60, 365 * 24 * 3600),
    eventLog: {
      adapter: "memory",
      maxEventsPerThread: integer(env, "EVENT_LOG_MAX_EVENTS", 10_000, 10, 10_000_000),
    },
    sse: {
      heartbeatMs,
      maxDurationMs: integer(env, "SSE_MAX_DURATION_MS", 10 * 60_000, 0, 24 * 3600_000),
      retryMs: integer(env, "SSE_RETRY_MS", 1_000, 0, 60_000),
      padBytes: integer(env, "SSE_PAD_BYTES", 0, 0, 65_536),
    },
    agent: {
      kind: oneOf(env, "AGENT", ["demo"] as const, "demo"),
      paceMs: integer(env, "DEMO_PACE_MS", 40, 0, 10_000),
      deltaWindowMs: integer(env, "DELTA_WINDOW_MS", 50, 0, 50),
      historyLimit: integer(env, "AGENT_HISTORY_MESSAGES", 20, 0, 1000),
    },
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
