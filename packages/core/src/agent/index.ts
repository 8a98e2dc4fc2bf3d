export * from "./agent.ts";
export * from "./delta-batcher.ts";
export * from "./demo.ts";
export * from "./invoker.ts";
export * from "./run-ids.ts";
export * from "./run-turn.ts";
