import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { CHROMIUM_PATH } from "./browser.ts";
import { E2E_HIDDEN_CLOSE_MS, WEB_DIST } from "./server.ts";

const webRoot = fileURLToPath(new URL("..", import.meta.url));

/** Builds the web app once for the whole suite, so every test serves what production serves. */
export default async function setup(): Promise<void> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install -y chromium); the e2e suite never skips`);
  }
  process.env.VITE_HIDDEN_CLOSE_MS = String(E2E_HIDDEN_CLOSE_MS);
  try {
    await build({
      root: webRoot,
      configFile: `${webRoot}vite.config.ts`,
      logLevel: "warn",
      build: { outDir: WEB_DIST, emptyOutDir: true },
    });
  } finally {
    delete process.env.VITE_HIDDEN_CLOSE_MS;
  }
}
