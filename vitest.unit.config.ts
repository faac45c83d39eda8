import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    setupFiles: ["test/support/fail-on-warning.ts"],
    // A loaded 2-core CI machine can take seconds to import the Kubernetes client; no test asserts on time.
    testTimeout: 30_000,
    reporters: ["default"],
  },
});
