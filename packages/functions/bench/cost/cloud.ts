import { type RedisProcess, startRedisProcess } from "@murmur/core/testing";
import { Redis } from "ioredis";
import { callFunctionUrl, type UrlResponse } from "../../src/lambda/testing/call.ts";
import { AGENT_FUNCTION, type CloudFixture, startCloudFixture } from "../../src/lambda/testing/cloud-fixture.ts";
import { functionUrlEvent, hashBody, lambdaContext, type RequestSpec } from "../../src/lambda/testing/function-url.ts";
import { installAwsLambdaGlobals, invokeStreaming, type StreamingInvocation } from "../../src/lambda/testing/streaming-runtime.ts";
import type { Meter } from "./meter.ts";
import { CLOUDFRONT_HEADER_BYTES } from "./prices.ts";

/** The cloud as the cost model runs it: the real Lambda handlers, a private Redis behind Upstash's REST protocol. */
export interface Cloud {
  /** A buffered request to the Api function, through CloudFront. */
  api(spec: RequestSpec): Promise<UrlResponse>;
  /** A stream request to the Stream function, through CloudFront; its bytes are counted as they go. */
  stream(spec: RequestSpec): StreamingInvocation & { readonly finished: Promise<void> };
  /** Runs the Agent function for every async invoke Api made so far (as Lambda would), and waits for them. */
  runAgents(): Promise<void>;
  /** Commands sent over REST so far (the local Upstash server counts them). */
  restCommands(): Record<string, number>;
  /** Commands Redis executed so far, by name. */
  executed(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

type Handler = unknown;

/** Sets this process up as the four functions' Lambda environment with `env`, and imports the handlers. */
export async function startCloud(meter: Meter, env: Record<string, string>): Promise<Cloud> {
  const redis: RedisProcess = await startRedisProcess();
  process.env.TEST_REDIS_URL = redis.url;
  const probe = new Redis(redis.url, { connectionName: "cost-probe", maxRetriesPerRequest: 1 });
  const fixture: CloudFixture = await startCloudFixture({ env, links: { Agent: { type: "sst.aws.Function", name: AGENT_FUNCTION } } });
  installAwsLambdaGlobals();
  const handlers: Record<"api" | "stream" | "agent", Handler> = {
    api: (await import("../../src/lambda/api.ts")).handler,
    stream: (await import("../../src/lambda/stream.ts")).handler,
    agent: (await import("../../src/lambda/agent.ts")).handler,
  };
  let delivered = 0;
  const running: Promise<unknown>[] = [];
  return {
    async api(spec) {
      const res = await meter.invoke("Api", () => callFunctionUrl(handlers.api, "Api", hashBody(spec)));
      meter.request(Buffer.byteLength(res.body) + CLOUDFRONT_HEADER_BYTES);
      return res;
    },
    stream(spec) {
      const invocation = invokeStreaming(handlers.stream, functionUrlEvent(spec), lambdaContext("Stream", 900_000));
      const finished = meter
        .invoke("Stream", () => invocation.done)
        .then(() => {
          const bytes = invocation.writes.reduce((n, w) => n + w.bytes.length, 0);
          meter.streamBytes.push(bytes);
          meter.request(bytes + CLOUDFRONT_HEADER_BYTES);
        });
      return Object.assign(invocation, { finished });
    },
    async runAgents() {
      for (const invoke of fixture.invokeApi.invokes.slice(delivered)) {
        delivered++;
        running.push(
          meter.invoke("Agent", async () =>
            (handlers.agent as (p: unknown, c: unknown) => Promise<unknown>)(invoke.payload, lambdaContext("Agent", 300_000)),
          ),
        );
      }
      await Promise.all(running.splice(0));
    },
    restCommands: () => Object.fromEntries(fixture.upstash.commands),
    async executed() {
      const text = await probe.info("commandstats");
      const out: Record<string, number> = {};
      for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        if (match[1] !== "info") out[match[1] as string] = Number(match[2]);
      }
      return out;
    },
    async close() {
      await fixture.close();
      probe.disconnect();
      await redis.stop();
    },
  };
}
