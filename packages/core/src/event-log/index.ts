export * from "./cursor.ts";
export type * from "./event-log.ts";
export * from "./memory.ts";
export * from "./redis.ts";
export { RedisBackedEventLog } from "./redis-log.ts";
export * from "./thread-record.ts";
export * from "./upstash.ts";
