// The browser-safe surface of chat: the reducer, the event types and the constants the
// UI needs. No schema library: validators live in `@murmur/core/events`.
export * from "../events/constants.ts";
export type * from "../events/schemas.ts";
export * from "./cursor-order.ts";
export * from "./ids.ts";
export * from "./reducer.ts";
