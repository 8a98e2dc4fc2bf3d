import { defineConfig } from "vitest/config";

// One project per kind of dependency, so each can run alone:
//   unit   node, no service: core and functions (`npx vitest --project unit`: seconds)
//   web    the web app's components and primitives under jsdom, no service
//   redis  against the Redis on TEST_REDIS_URL, or private redis-servers and a private 3-master
//          Redis Cluster they start (`*.redis.test.ts`: redis-server and redis-cli on PATH)
//   lambda the Lambda entries under the streaming-runtime emulation (with Redis behind Upstash's protocol),
//          and their bundles as `sst deploy` builds them (sizes, what they leave out)
//   e2e    Chromium against the local server (packages/web/vitest.e2e.config.ts)
//   infra  sst.config.ts under Pulumi mocks (needs `sst install`: .sst/platform)
// `npm test` runs them all. Suites that need a service fail, never skip, without it.
const REDIS = [
  "packages/core/src/event-log/redis.test.ts",
  "packages/core/src/event-log/upstash.test.ts",
  "packages/core/src/limits/redis.test.ts",
  "packages/*/src/**/*.redis.test.ts",
  "packages/functions/src/local/redis-faults.test.ts",
];
const LAMBDA = ["packages/functions/src/lambda/**/*.test.ts"];
const cleanRedis = ["packages/core/src/testing/clean-redis.setup.ts"];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          include: ["packages/core/src/**/*.test.ts", "packages/functions/src/**/*.test.ts"],
          exclude: [...REDIS, ...LAMBDA],
          testTimeout: 20_000,
        },
      },
      "packages/web",
      { test: { name: "redis", environment: "node", include: REDIS, setupFiles: cleanRedis, testTimeout: 30_000 } },
      { test: { name: "lambda", environment: "node", include: LAMBDA, setupFiles: cleanRedis, testTimeout: 20_000 } },
      "packages/web/vitest.e2e.config.ts",
      { test: { name: "infra", include: ["sst.config.test.ts"], environment: "node", hookTimeout: 60_000 } },
    ],
  },
});
