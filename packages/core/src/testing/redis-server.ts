import { Redis } from "ioredis";

/**
 * Test support for the Redis suites: the URL of the Redis they run against
 * (`TEST_REDIS_URL`, default the local server on 6379) and a unique key prefix per
 * test, so suites can share one database. Every prefix of a test file lies under one
 * root, so the file can delete all it wrote when it ends ({@link deleteTestKeys}, run
 * by the Redis projects' setup file).
 */
export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
}

/** Every key the tests write starts with this. */
export const TEST_KEY_ROOT = "murmur-test";

const fileRoot = `${TEST_KEY_ROOT}:${process.pid}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let counter = 0;

export function uniquePrefix(): string {
  return `${fileRoot}:${(counter++).toString(36)}`;
}

/** Deletes every key under this test file's prefixes; returns how many it deleted. */
export async function deleteTestKeys(url = testRedisUrl()): Promise<number> {
  if (counter === 0) return 0;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${fileRoot}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return deleted;
}
