export * from "./definitions.ts";
export * from "./metrics.ts";
export * from "./store.ts";
