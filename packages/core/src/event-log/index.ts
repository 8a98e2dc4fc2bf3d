export * from "./cursor.ts";
export type * from "./event-log.ts";
export * from "./memory.ts";
export * from "./thread-record.ts";
