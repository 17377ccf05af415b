import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/globalSetup.ts"],
    // CLI tests spawn several processes; on a loaded 2-core machine each takes 10–15 s.
    testTimeout: 180_000,
    hookTimeout: 120_000
  }
})
