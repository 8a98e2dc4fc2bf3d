import { createCipheriv, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startUpstashRestServer, testRedisUrl, type UpstashRestServer, uniquePrefix } from "@murmur/core/testing";
import { Redis } from "ioredis";
import { type InvokeApiServer, startInvokeApi } from "./invoke-api.ts";

export const TEST_SECRETS = {
  session: "cloud-session-secret-0123456789abcdef",
  webhook: "cloud-webhook-secret-0123",
  restToken: "cloud-rest-token",
};
export const AGENT_FUNCTION = "murmur-test-AgentFunction-abc123";

export interface CloudFixture {
  readonly upstash: UpstashRestServer;
  readonly invokeApi: InvokeApiServer;
  readonly keyPrefix: string;
  close(): Promise<void>;
}

/** Where a function's services listen: the real Redis, Upstash's REST protocol in front of it, Lambda's Invoke API. */
export interface CloudServices {
  readonly redisUrl: string;
  readonly upstashUrl: string;
  readonly invokeApiUrl: string;
  readonly keyPrefix: string;
}

/** A function's environment, and the key file it points at. */
export interface CloudEnvironment {
  readonly env: Record<string, string>;
  /** Removes the key file. */
  dispose(): void;
}

/**
 * The environment Lambda and SST give a function, before its entry module is imported:
 * links encrypted into a key file (`SST_KEY`, `SST_KEY_FILE`) as in a deployed bundle,
 * settings as environment, AWS credentials that are fake, and every service on
 * 127.0.0.1. For this process (startCloudFixture) or a child `node` (the bundle bench).
 */
export function cloudEnvironment(
  services: CloudServices,
  options: { env?: Record<string, string>; links?: Record<string, unknown> } = {},
): CloudEnvironment {
  const { redisUrl, upstashUrl, invokeApiUrl, keyPrefix } = services;
  const sealed = sealLinks({
    Upstash: { type: "sst.sst.Linkable", restUrl: upstashUrl, restToken: TEST_SECRETS.restToken, tcpUrl: redisUrl, keyPrefix },
    SessionSecret: { type: "sst.sst.Secret", value: TEST_SECRETS.session },
    WebhookSecret: { type: "sst.sst.Secret", value: TEST_SECRETS.webhook },
    ...options.links,
  });
  const env = {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_EC2_METADATA_DISABLED: "true",
    // CI runs Node 20; the functions run on nodejs22.x.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    AWS_ENDPOINT_URL_LAMBDA: invokeApiUrl,
    SST_RESOURCE_App: JSON.stringify({ name: "murmur", stage: "test" }),
    SSE_HEARTBEAT_MS: "15000",
    SSE_PAD_BYTES: "0",
    ...sealed.env,
    ...options.env,
  };
  return { env, dispose: () => rmSync(sealed.dir, { recursive: true, force: true }) };
}

/** Sets up this process as Lambda and SST set up a function (see cloudEnvironment), with the services started here. */
export async function startCloudFixture(
  options: { env?: Record<string, string>; links?: Record<string, unknown> } = {},
): Promise<CloudFixture> {
  const redisUrl = testRedisUrl();
  const upstash = await startUpstashRestServer({ redisUrl, token: TEST_SECRETS.restToken });
  const invokeApi = await startInvokeApi();
  const keyPrefix = uniquePrefix();
  const environment = cloudEnvironment({ redisUrl, upstashUrl: upstash.url, invokeApiUrl: invokeApi.url, keyPrefix }, options);
  Object.assign(process.env, environment.env);
  return {
    upstash,
    invokeApi,
    keyPrefix,
    async close() {
      await Promise.all([upstash.close(), invokeApi.close(), deleteKeys(redisUrl, keyPrefix)]);
      environment.dispose();
    },
  };
}

/** Links as SST ships them: JSON, AES-256-GCM with a zero nonce, the tag appended, in `resource.enc`; the key in `SST_KEY`. */
function sealLinks(links: Record<string, unknown>): { env: { SST_KEY: string; SST_KEY_FILE: string }; dir: string } {
  const key = randomBytes(32);
  const cipher = createCipheriv("aes-256-gcm", key, Buffer.alloc(12, 0));
  const encrypted = Buffer.concat([cipher.update(JSON.stringify(links)), cipher.final(), cipher.getAuthTag()]);
  const dir = mkdtempSync(join(tmpdir(), "murmur-lambda-"));
  const file = join(dir, "resource.enc");
  writeFileSync(file, encrypted);
  return { env: { SST_KEY: key.toString("base64"), SST_KEY_FILE: file }, dir };
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
