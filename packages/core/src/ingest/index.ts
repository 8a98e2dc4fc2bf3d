export * from "./ingest.ts";
export * from "./retrying-ingest.ts";
