import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "src/**/*.test.ts",
      "tools/**/*.test.ts",
      "mcp/**/*.test.ts",
      "evals/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
