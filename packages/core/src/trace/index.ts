export * from "./request-id.ts";
export * from "./tracer.ts";
