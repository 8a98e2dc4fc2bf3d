import solid from "vite-plugin-solid";
import { defineConfig } from "vitest/config";
import { reportSize } from "./report-size.ts";

// The one place the dev server learns where the API runs; the app itself only knows `/api`.
const apiTarget = process.env.MURMUR_API_TARGET ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [solid(), reportSize()],
  build: { outDir: "dist" },
  server: {
    // Same origin in dev as in production: cookies stay first-party and EventSource needs no CORS.
    proxy: { "/api": { target: apiTarget } },
  },
  test: {
    name: "web",
    environment: "jsdom",
    // The Chromium suite (e2e/) is its own project: vitest.e2e.config.ts.
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
