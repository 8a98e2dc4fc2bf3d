export * from "./gcra.ts";
export type * from "./limiter.ts";
export * from "./memory.ts";
export * from "./redis.ts";
export * from "./rules.ts";
