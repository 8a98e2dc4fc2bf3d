import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { LocalServer } from "../../functions/src/local/start.ts";
import { launchChromium } from "./browser.ts";
import { startServer } from "./server.ts";

/**
 * Registers a test file's hooks: one Chromium for the file, and a local server per
 * test, closed after it. Call once at the top of the file.
 */
export function useChromiumAndServer(): { browser: () => Browser; startServer: (env?: Record<string, string>) => Promise<LocalServer> } {
  let browser: Browser | undefined;
  let server: LocalServer | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return {
    browser: () => browser as Browser,
    startServer: async (env = {}) => {
      server = await startServer(env);
      return server;
    },
  };
}
