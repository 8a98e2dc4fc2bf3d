export * from "./cursor.ts";
export type * from "./event-log.ts";
export * from "./memory.ts";
export { createBlockingTailer } from "./redis/blocking-reader.ts";
export { RedisEventLog } from "./redis/engine.ts";
export type { StreamTailer } from "./redis/multiplexer.ts";
export * from "./redis.ts";
export * from "./thread-record.ts";
export * from "./upstash.ts";
