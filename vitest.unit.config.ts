import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    setupFiles: ["test/support/fail-on-warning.ts"],
    // A loaded 2-core CI machine (the Go builds run beside the unit tests) can take seconds to import the Kubernetes
    // client or to start gcloud; no test asserts on time.
    testTimeout: 90_000,
    hookTimeout: 90_000,
    reporters: ["default"],
  },
});
