export * from "./encode.ts";
export * from "./event-stream.ts";
