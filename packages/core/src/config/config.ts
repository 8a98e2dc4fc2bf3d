import type { OpenAiAgentOptions } from "../agent/openai.ts";
import { MAX_MESSAGE_BYTES, MAX_REPLY_BYTES } from "../events/constants.ts";

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
  readonly eventLog: EventLogConfig;
  readonly sse: {
    readonly heartbeatMs: number;
    readonly maxDurationMs: number;
    readonly retryMs: number;
    readonly padBytes: number;
    /** The most bytes a stream queues for a client that is not reading, before it lets the client go. */
    readonly maxBufferBytes: number;
  };
  /** How browsers hold streams (`STREAM_POLICY`), told to them in the session response. */
  readonly stream: StreamPolicyConfig;
  /**
   * Where LangGraph's run-completion webhook reaches this app (origin, no `/api`).
   * Null in local mode without `PUBLIC_URL`: the local server's own address is used.
   */
  readonly publicUrl: string | null;
  readonly agent: AgentConfig;
  /** `MURMUR_LOG`: `json`, one JSON line per request and per stream end (default), or `off`. */
  readonly log: "json" | "off";
  /** What one session may do (README "Limits"): every limit but the HTTP timeouts. */
  readonly limits: LimitsConfig;
  /** The local server's read timeouts (slowloris); Lambda's Function URLs and CloudFront bound reads in the cloud. */
  readonly http: HttpConfig;
}

/**
 * The limits of README "Limits". Rates are GCRA (see limits/): a burst of the number,
 * then one more every window divided by it. 0 turns a count limit off.
 */
export interface LimitsConfig {
  /** Sends and regenerations a session may start per minute (`LIMIT_SENDS_PER_MINUTE`). */
  readonly sessionSendsPerMinute: number;
  /** Sends and regenerations into one thread per minute (`LIMIT_THREAD_SENDS_PER_MINUTE`). */
  readonly threadSendsPerMinute: number;
  /** Threads a session may create per hour (`LIMIT_THREADS_PER_HOUR`). */
  readonly threadsPerHour: number;
  /** Streams a session may hold at once (`LIMIT_STREAMS_PER_SESSION`): per process locally, across functions in the cloud. */
  readonly streamsPerSession: number;
  /** Replies in flight per thread (`LIMIT_RUNS_PER_THREAD`): a send that would start another answers 409. */
  readonly runsPerThread: number;
  /** Bytes of a user message's text (`LIMIT_MESSAGE_BYTES`, at most the format's 16 KB). */
  readonly messageBytes: number;
  /** Bytes of a reply, whole or assembled from its deltas (`LIMIT_REPLY_BYTES`, at most the format's 64 KB). */
  readonly replyBytes: number;
}

export interface HttpConfig {
  /** A request's headers must arrive within this (`HTTP_HEADERS_TIMEOUT_MS`), else the connection is closed. */
  readonly headersTimeoutMs: number;
  /** A request, headers and body, must arrive within this (`HTTP_REQUEST_TIMEOUT_MS`); a response (a held stream) is not bound by it. */
  readonly requestTimeoutMs: number;
}

/**
 * - `always`: a tab holds its open thread's stream while visible (local default);
 * - `on-demand`: a browser holds a thread's stream only while a reply streams on it, while
 *   the user types, and `lingerMs` after; idle, it checks every `idleCheckMs` with one
 *   cheap request (cloud default: a held streaming Lambda bills by the second).
 */
export interface StreamPolicyConfig {
  readonly policy: "always" | "on-demand";
  readonly lingerMs: number;
  readonly idleCheckMs: number;
}

/** Settings every agent shares. */
interface AgentCommon {
  readonly deltaWindowMs: number;
  readonly historyLimit: number;
}

/** Which agent writes replies (`AGENT`), with its settings. API keys are secrets: never log or echo them. */
export type AgentConfig =
  | (AgentCommon & { readonly kind: "demo"; readonly paceMs: number })
  | (AgentCommon & { readonly kind: "openai" } & OpenAiAgentOptions)
  | (AgentCommon & {
      readonly kind: "langgraph";
      readonly url: string;
      readonly assistantId: string;
      readonly apiKey: string | null;
      /** Relay tokens by joining the run's stream, as well as completing through the webhook. */
      readonly stream: boolean;
    });

/** A Redis Cluster node, as `REDIS_CLUSTER_NODES` or a `redis+cluster://` URL names it. */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Which event log, chosen by `REDIS_URL` / `REDIS_CLUSTER_NODES` / `UPSTASH_REDIS_REST_URL`
 * (memory when none is set).
 */
export type EventLogConfig =
  | { readonly adapter: "memory"; readonly maxEventsPerThread: number; readonly runLeaseMs: number }
  | {
      readonly adapter: "redis-cluster";
      readonly maxEventsPerThread: number;
      readonly runLeaseMs: number;
      /** Seed nodes: the client learns the rest of the cluster from them. */
      readonly nodes: readonly RedisNodeAddress[];
      readonly username: string | null;
      /** A secret: never log or echo it. */
      readonly password: string | null;
      readonly tls: boolean;
      readonly prefix: string;
      readonly commandTimeoutMs: number;
    }
  | {
      readonly adapter: "redis";
      readonly maxEventsPerThread: number;
      readonly runLeaseMs: number;
      readonly url: string;
      readonly prefix: string;
      readonly blockMs: number;
      readonly commandTimeoutMs: number;
    }
  | {
      readonly adapter: "upstash";
      readonly maxEventsPerThread: number;
      readonly runLeaseMs: number;
      readonly restUrl: string;
      readonly restToken: string;
      /** `REDIS_URL` when set: tails block over TCP instead of polling over REST. */
      readonly tailUrl: string | null;
      readonly prefix: string;
      readonly blockMs: number;
      readonly pollMinMs: number;
      readonly pollMaxMs: number;
    };

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
    eventLog: readEventLogConfig(env, mode),
    sse: {
      heartbeatMs,
      maxDurationMs: integer(env, "SSE_MAX_DURATION_MS", 10 * 60_000, 0, 24 * 3600_000),
      retryMs: integer(env, "SSE_RETRY_MS", 1_000, 0, 60_000),
      padBytes: integer(env, "SSE_PAD_BYTES", 0, 0, 65_536),
      maxBufferBytes: integer(env, "SSE_MAX_BUFFER_BYTES", 1024 * 1024, 64 * 1024, 64 * 1024 * 1024),
    },
    stream: {
      policy: oneOf(env, "STREAM_POLICY", ["always", "on-demand"] as const, mode === "cloud" ? "on-demand" : "always"),
      lingerMs: integer(env, "STREAM_LINGER_MS", 5_000, 0, 600_000),
      idleCheckMs: integer(env, "IDLE_CHECK_MS", 60_000, 1_000, 3_600_000),
    },
    publicUrl: optionalUrl(env, "PUBLIC_URL"),
    agent: readAgent(env, mode),
    limits: readLimits(env),
    http: readHttp(env),
    log: oneOf(env, "MURMUR_LOG", ["json", "off"] as const, "json"),
  };
  if (mode === "cloud" && config.agent.kind === "langgraph" && !config.publicUrl) {
    throw new ConfigError("PUBLIC_URL is required when AGENT=langgraph in cloud mode: LangGraph calls the webhook there");
  }
  return deepFreeze(config);
}

function url(env: Env, name: string, protocols: readonly string[]): string | null {
  const value = env[name]?.trim();
  if (!value) return null;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${value.replace(/\/\/[^@/]*@/, "//…@")}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(" or ")}, got "${parsed.protocol}//"`);
  }
  return value;
}

function readEventLogConfig(env: Env, mode: Mode): EventLogConfig {
  const maxEventsPerThread = integer(env, "EVENT_LOG_MAX_EVENTS", 10_000, 10, 10_000_000);
  // How long a reply's writer may go silent before its reply is taken for abandoned (I6).
  const runLeaseMs = integer(env, "RUN_LEASE_MS", 20_000, 3_000, 600_000);
  const prefix = env.MURMUR_KEY_PREFIX?.trim() || `murmur:${mode}`;
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(prefix)) {
    throw new ConfigError(`MURMUR_KEY_PREFIX must be 1-64 characters of A-Z a-z 0-9 _ . : -, got "${prefix}"`);
  }
  const cluster = readRedisCluster(env);
  const redisUrl = cluster ? null : url(env, "REDIS_URL", ["redis:", "rediss:", "redis+cluster:", "rediss+cluster:"]);
  const blockMs = integer(env, "REDIS_BLOCK_MS", 10_000, 100, 60_000);
  const restUrl = url(env, "UPSTASH_REDIS_REST_URL", ["https:", "http:"]);
  if (restUrl && cluster) {
    throw new ConfigError(
      `${cluster.from} names a Redis Cluster, which the Upstash adapter (UPSTASH_REDIS_REST_URL) cannot tail: unset one of them`,
    );
  }
  if (cluster) {
    const commandTimeoutMs = integer(env, "REDIS_COMMAND_TIMEOUT_MS", 3_000, 100, 60_000);
    const { from: _, ...where } = cluster;
    return { adapter: "redis-cluster", maxEventsPerThread, runLeaseMs, ...where, prefix, commandTimeoutMs };
  }
  if (restUrl) {
    const restToken = env.UPSTASH_REDIS_REST_TOKEN?.trim();
    if (!restToken) throw new ConfigError("UPSTASH_REDIS_REST_TOKEN is required with UPSTASH_REDIS_REST_URL");
    const pollMinMs = integer(env, "UPSTASH_POLL_MIN_MS", 100, 10, 60_000);
    const pollMaxMs = integer(env, "UPSTASH_POLL_MAX_MS", 2_000, pollMinMs, 600_000);
    return {
      adapter: "upstash",
      maxEventsPerThread,
      runLeaseMs,
      restUrl,
      restToken,
      tailUrl: redisUrl,
      prefix,
      blockMs,
      pollMinMs,
      pollMaxMs,
    };
  }
  if (redisUrl) {
    const commandTimeoutMs = integer(env, "REDIS_COMMAND_TIMEOUT_MS", 3_000, 100, 60_000);
    return { adapter: "redis", maxEventsPerThread, runLeaseMs, url: redisUrl, prefix, blockMs, commandTimeoutMs };
  }
  return { adapter: "memory", maxEventsPerThread, runLeaseMs };
}

type ClusterWhere = Pick<Extract<EventLogConfig, { adapter: "redis-cluster" }>, "nodes" | "username" | "password" | "tls"> & {
  /** The variable it came from, for messages. */
  readonly from: string;
};

/** A Redis Cluster from `REDIS_CLUSTER_NODES` (`host:port,…`) or a `redis+cluster://` (`rediss+cluster://`: TLS) `REDIS_URL`; null for neither. */
function readRedisCluster(env: Env): ClusterWhere | null {
  const list = env.REDIS_CLUSTER_NODES?.trim();
  const raw = env.REDIS_URL?.trim() ?? "";
  const fromUrl = /^(rediss?)\+cluster:\/\//i.exec(raw);
  if (list && fromUrl) throw new ConfigError("REDIS_CLUSTER_NODES and a redis+cluster:// REDIS_URL both name a cluster: set one");
  if (list) {
    if (raw) throw new ConfigError("REDIS_CLUSTER_NODES and REDIS_URL both name the event log's Redis: set one");
    return { from: "REDIS_CLUSTER_NODES", nodes: nodeList("REDIS_CLUSTER_NODES", list), username: null, password: null, tls: false };
  }
  if (!fromUrl) return null;
  const rest = raw.slice(fromUrl[0].length).replace(/\/+$/, "");
  const at = rest.lastIndexOf("@");
  const [user, pass] = at === -1 ? [] : rest.slice(0, at).split(/:(.*)/s);
  if (rest.includes("/") || rest.includes("?")) {
    throw new ConfigError(
      `REDIS_URL: a redis+cluster:// URL is redis+cluster://[user:password@]host:port,host:port, without a path or query`,
    );
  }
  const decode = (part: string | undefined) => (part ? decodeURIComponent(part) : null);
  return {
    from: "REDIS_URL",
    nodes: nodeList("REDIS_URL", rest.slice(at + 1)),
    username: decode(user),
    password: decode(pass),
    tls: (fromUrl[1] as string).toLowerCase() === "rediss",
  };
}

/** `host:port,host:port` (`[v6]:port` for IPv6; the port defaults to 6379). */
function nodeList(name: string, list: string): RedisNodeAddress[] {
  const nodes = list.split(",").map((item) => {
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)(?::(\d{1,5}))?$/.exec(item.trim());
    const port = Number(match?.[2] ?? 6379);
    if (!match || port < 1 || port > 65_535) {
      throw new ConfigError(`${name} must list cluster nodes as host:port separated by commas, got "${item.trim()}"`);
    }
    return { host: (match[1] as string).replace(/^\[|\]$/g, ""), port };
  });
  return nodes;
}

function readLimits(env: Env): LimitsConfig {
  return {
    sessionSendsPerMinute: integer(env, "LIMIT_SENDS_PER_MINUTE", 30, 0, 100_000),
    threadSendsPerMinute: integer(env, "LIMIT_THREAD_SENDS_PER_MINUTE", 20, 0, 100_000),
    threadsPerHour: integer(env, "LIMIT_THREADS_PER_HOUR", 100, 0, 1_000_000),
    streamsPerSession: integer(env, "LIMIT_STREAMS_PER_SESSION", 20, 0, 1_000_000),
    runsPerThread: integer(env, "LIMIT_RUNS_PER_THREAD", 1, 0, 100),
    messageBytes: integer(env, "LIMIT_MESSAGE_BYTES", MAX_MESSAGE_BYTES, 1, MAX_MESSAGE_BYTES),
    replyBytes: integer(env, "LIMIT_REPLY_BYTES", MAX_REPLY_BYTES, 1024, MAX_REPLY_BYTES),
  };
}

function readHttp(env: Env): HttpConfig {
  const headersTimeoutMs = integer(env, "HTTP_HEADERS_TIMEOUT_MS", 10_000, 100, 600_000);
  const requestTimeoutMs = integer(env, "HTTP_REQUEST_TIMEOUT_MS", 30_000, 100, 3_600_000);
  // Node refuses a headers timeout longer than the request's: the headers are part of the request.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(`HTTP_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  }
  return { headersTimeoutMs, requestTimeoutMs };
}

const OPENAI_API = "https://api.openai.com/v1";
/** The cloud's delta window (see BENCHMARKS.md, cost model: appends and wakes per reply). */
export const CLOUD_DELTA_WINDOW_MS = 1_000;

/** Longest delta window: a reply's text waits at most this long to be appended (its first words at most 50 ms). */
export const MAX_DELTA_WINDOW_MS = 2_000;

function readAgent(env: Env, mode: Mode): AgentConfig {
  const common = {
    // Fewer appends are fewer billed commands (and Stream wakes) in the cloud; the browser
    // reveals the text smoothly between batches, and the first batch still goes out in 50 ms.
    deltaWindowMs: integer(env, "DELTA_WINDOW_MS", mode === "cloud" ? CLOUD_DELTA_WINDOW_MS : 50, 0, MAX_DELTA_WINDOW_MS),
    historyLimit: integer(env, "AGENT_HISTORY_MESSAGES", 20, 0, 1000),
  };
  const kind = oneOf(env, "AGENT", ["demo", "openai", "langgraph"] as const, "demo");
  if (kind === "openai") {
    const baseUrl = optionalUrl(env, "OPENAI_BASE_URL") ?? OPENAI_API;
    const apiKey = env.OPENAI_API_KEY?.trim() || null;
    if (!apiKey && baseUrl === OPENAI_API) throw new ConfigError("OPENAI_API_KEY is required when AGENT=openai talks to OpenAI's API");
    return {
      ...common,
      kind,
      baseUrl,
      apiKey,
      model: required(env, "OPENAI_MODEL", "when AGENT=openai (the model name the server knows)"),
      historyChars: integer(env, "OPENAI_HISTORY_CHARS", 24_000, 0, 10_000_000),
      timeoutMs: integer(env, "OPENAI_TIMEOUT_MS", 60_000, 100, 600_000),
      maxRetries: integer(env, "OPENAI_MAX_RETRIES", 2, 0, 10),
    };
  }
  if (kind === "langgraph") {
    return {
      ...common,
      kind,
      url: optionalUrl(env, "LANGGRAPH_URL") ?? required(env, "LANGGRAPH_URL", "when AGENT=langgraph"),
      assistantId: required(env, "LANGGRAPH_ASSISTANT_ID", "when AGENT=langgraph (an assistant id or graph name)"),
      apiKey: env.LANGGRAPH_API_KEY?.trim() || null,
      stream: boolean(env, "LANGGRAPH_STREAM", false),
    };
  }
  return { ...common, kind, paceMs: integer(env, "DEMO_PACE_MS", 40, 0, 10_000) };
}

function required(env: Env, name: string, when: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is required ${when}`);
  return value;
}

/** An http(s) URL without its trailing slash, or null when unset. */
function optionalUrl(env: Env, name: string): string | null {
  return url(env, name, ["https:", "http:"])?.replace(/\/+$/, "") ?? null;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
