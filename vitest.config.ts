import { defineConfig } from "vitest/config";

// Node: every suite. Interop and e2e suites need root, real peers and ../shared.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default"],
  },
});
