import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One line: whether the real-CLI suite runs, or how to enable it.
    globalSetup: ["test/cli/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores on CI: engine-level tests spawn provider hosts, keep parallelism modest.
    maxWorkers: 2,
    pool: "forks",
  },
});
