import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      "packages/core",
      "packages/functions",
      "packages/web",
      "packages/web/vitest.e2e.config.ts",
      // sst.config.ts evaluated under Pulumi mocks; needs `sst install` (.sst/platform).
      { test: { name: "infra", include: ["sst.config.test.ts"], environment: "node", hookTimeout: 60_000 } },
    ],
  },
});
