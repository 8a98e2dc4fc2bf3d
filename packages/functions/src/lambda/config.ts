import { ConfigError, type MurmurConfig, readConfig } from "@murmur/core/config";

/** A Lambda function's settings (see sst.config.ts). */
export interface CloudConfig {
  readonly config: MurmurConfig;
  /** The Agent function's name when it is linked (Api: send starts runs there); null elsewhere. */
  readonly agentFunction: string | null;
  /** The SST stage (`Resource.App.stage`): a dimension of every metric. */
  readonly stage: string;
  /**
   * `STREAM_MAX_OPEN` (Stream only): most streams open at once across its instances, kept
   * under the function's reserved concurrency (sst.config.ts); null: no bound.
   */
  readonly maxOpenStreams: number | null;
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
  const app = (resource as { App?: { stage?: unknown } }).App;
  return {
    config,
    agentFunction: "Agent" in resource ? linked(resource, "Agent", ["name"]).name : null,
    maxOpenStreams: maxOpen(env.STREAM_MAX_OPEN),
    stage: typeof app?.stage === "string" ? app.stage : "unknown",
  };
}

function maxOpen(raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === "") return null;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`STREAM_MAX_OPEN must be a whole number of at least 1, got "${raw}"`);
  return value;
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
