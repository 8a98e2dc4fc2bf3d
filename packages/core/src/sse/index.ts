export * from "./encode.ts";
export * from "./event-stream.ts";
export * from "./stream-control.ts";
export * from "./stream-sink.ts";
