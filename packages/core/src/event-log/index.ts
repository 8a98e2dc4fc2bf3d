export * from "./cursor.ts";
export type * from "./event-log.ts";
export * from "./memory.ts";
export { RedisEventLog } from "./redis/engine.ts";
export * from "./redis.ts";
export * from "./thread-record.ts";
export * from "./upstash.ts";
