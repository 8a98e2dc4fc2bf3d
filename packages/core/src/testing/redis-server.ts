/**
 * Test support for the Redis suites: the URL of the Redis they run against
 * (`TEST_REDIS_URL`, default the local server on 6379) and a unique key prefix per
 * test, so suites can share one database.
 */
export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
}

let counter = 0;
export function uniquePrefix(): string {
  return `murmur-test:${process.pid}:${Date.now().toString(36)}:${(counter++).toString(36)}`;
}
