import { afterAll } from "vitest";
import { deleteTestKeys } from "./redis-server.ts";

// Setup file of the projects whose tests write to the shared test Redis: when a test
// file ends, the keys it wrote (all under its prefixes) go with it.
afterAll(async () => {
  await deleteTestKeys();
});
