export * from "./events.ts";
export * from "./ids.ts";
export * from "./ingest.ts";
export * from "./reducer.ts";
export * from "./retrying-ingest.ts";
