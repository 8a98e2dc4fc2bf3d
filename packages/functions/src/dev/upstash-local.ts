import { startUpstashRestServer } from "@murmur/core/testing";
import { loadUpstashEmulatorConfig } from "./config.ts";

/**
 * `npm run upstash:local`: serves Upstash's REST protocol in front of a local Redis, so
 * `npm start` can run the cloud write path (REST appends, polled or blocking tails) offline.
 */
const { redisUrl, token, port } = loadUpstashEmulatorConfig();
const server = await startUpstashRestServer({ redisUrl, token, port });
console.log(
  [
    "",
    `  Upstash REST protocol at ${server.url}, in front of ${redisUrl}`,
    "",
    "  Run Murmur against it (REST writes, tails polling over REST):",
    `    UPSTASH_REDIS_REST_URL=${server.url} UPSTASH_REDIS_REST_TOKEN=${token} npm start`,
    "  or as in the cloud (REST writes, blocking tails over TCP):",
    `    UPSTASH_REDIS_REST_URL=${server.url} UPSTASH_REDIS_REST_TOKEN=${token} REDIS_URL=${redisUrl} npm start`,
    "",
  ].join("\n"),
);
const stop = () => void server.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
