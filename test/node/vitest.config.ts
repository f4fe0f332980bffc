// Tests that run in Node against a Worker started by the test (`wrangler dev` on free ports, see
// server.ts): the CLI as a user runs it, and the OpenAPI document through a validator that needs
// Node. One file at a time; each starts its own Worker. Run by `npm test` after the workerd suite.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/node/**/*.test.ts"],
    root: new URL("../..", import.meta.url).pathname,
    environment: "node",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
