import { defineProject } from "vitest/config";

// The Chromium end-to-end suite: the real local server (API + built web app) on
// loopback, driven by playwright-core through Debian's Chromium. It fails, never
// skips, when Chromium is missing.
export default defineProject({
  test: {
    name: "e2e",
    environment: "node",
    include: ["e2e/**/*.e2e.test.ts"],
    globalSetup: ["e2e/global-setup.ts"],
    // Tests in Redis mode delete the keys they wrote when they end.
    setupFiles: ["../core/src/testing/clean-redis.setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
