import { defineConfig } from "vitest/config";

// e2e tests share one real control plane per run (test/e2e/global-setup.ts); files run one after another
// because the machine has 2 cores and tests may restart the shared apiserver.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    setupFiles: ["test/support/fail-on-warning.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
