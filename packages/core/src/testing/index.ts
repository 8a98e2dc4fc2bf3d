export * from "./langgraph-server.ts";
export * from "./openai-server.ts";
export * from "./read-body.ts";
export * from "./redis-cluster.ts";
export * from "./redis-process.ts";
export * from "./redis-server.ts";
export * from "./sse.ts";
export * from "./upstash-rest-server.ts";
