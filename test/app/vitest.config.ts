// The dashboard's browser tests: Node (not workerd), one file at a time, each starting its own
// `wrangler dev` and Chromium. Run by `npm test` after the workerd suite.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/app/**/*.test.ts"],
    root: new URL("../..", import.meta.url).pathname,
    environment: "node",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
