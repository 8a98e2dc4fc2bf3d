import { type RedisProcess, startRedisProcess, startUpstashRestServer, type UpstashRestServer } from "@murmur/core/testing";
import { type CloudEnvironment, cloudEnvironment, TEST_SECRETS } from "../../src/lambda/testing/cloud-fixture.ts";
import { type InvokeApiServer, startInvokeApi } from "../../src/lambda/testing/invoke-api.ts";
import type { FunctionSpec } from "./functions.ts";

/** What the functions talk to, all on 127.0.0.1: a private Redis, Upstash's REST protocol in front of it, Lambda's Invoke API. */
export interface BenchServices {
  readonly redis: RedisProcess;
  readonly upstash: UpstashRestServer;
  readonly invokeApi: InvokeApiServer;
  /** A function's environment as Lambda and SST give it (links sealed in a key file); disposed by close(). */
  environment(spec: FunctionSpec): Record<string, string>;
  close(): Promise<void>;
}

/** Starts the services; a redis-server of its own, so the bench leaves nothing in anyone's Redis. */
export async function startBenchServices(): Promise<BenchServices> {
  const redis = await startRedisProcess();
  const upstash = await startUpstashRestServer({ redisUrl: redis.url, token: TEST_SECRETS.restToken });
  const invokeApi = await startInvokeApi();
  const environments: CloudEnvironment[] = [];
  const services = { redisUrl: redis.url, upstashUrl: upstash.url, invokeApiUrl: invokeApi.url, keyPrefix: "murmur:bench" };
  return {
    redis,
    upstash,
    invokeApi,
    environment(spec) {
      const environment = cloudEnvironment(services, {
        env: { ...spec.env, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb) },
        links: spec.links,
      });
      environments.push(environment);
      return environment.env;
    },
    async close() {
      for (const environment of environments) environment.dispose();
      await Promise.allSettled([upstash.close(), invokeApi.close()]);
      await redis.stop();
    },
  };
}
