import { defineConfig } from "vitest/config";

// Deno: the suites of core/ and plugins/ (runtime neutrality); interop and e2e run on Node only.
export default defineConfig({
  test: {
    include: ["test/core/**/*.test.ts", "test/plugins/**/*.test.ts"],
    exclude: ["**/*.node_only.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default"],
  },
});
