import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Every test runs inside workerd with the real bindings of wrangler.toml: D1 with the same
// migrations that `wrangler d1 migrations apply` reads, the Durable Objects, R2 and alarms.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("schema/migrations");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            OPERATOR_SECRET: "test-operator-secret",
            SECRETS_KEY: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            KESTRA_REGION: "eu-test",
            // {{ globals }}, as Kestra's kestra.variables.globals (camelCase keys read hyphenated).
            GLOBALS: JSON.stringify({ string: "string", int: 1, nested: { int: 2 }, myVar: "my variable" }),
            // 1 MiB instead of 100 MiB, so that the tests can go over the storage limit cheaply.
            MAX_FILE_BYTES: "1048576",
            // test/faults: FAULTS_LARGE=1 runs the large figures (e.g. 100,000 fuzzed renders) instead of CI's.
            FAULTS_LARGE:
              (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.FAULTS_LARGE ?? "",
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      exclude: ["test/bench/**", "test/app/**", "test/node/**"],
      setupFiles: ["./test/setup.ts"],
      // One workerd for the whole run instead of one per test file. Isolated, every file paid for a
      // new workerd and for fetching and evaluating the Worker's whole module graph again: ~4.7 s of
      // CPU per file, 60% of the suite's CPU. Shared, D1, R2 and the Durable Objects outlive a file,
      // so a test must not count on empty storage: each one signs up its own tenants (every row, key
      // and object name is scoped by tenant) and asserts on those only.
      isolate: false,
      // date-holidays reaches moment-timezone, a UMD module whose require('moment') the workerd
      // module runner cannot load as is; bundled by esbuild first (as wrangler does for deploys), it loads.
      // ion-js ships source map comments without the maps: bundled first, nothing asks for them.
      deps: { optimizer: { ssr: { enabled: true, include: ["date-holidays", "ion-js"] } } },
      // The machine is shared and small; a test is judged on what it asserts, not on speed.
      testTimeout: 30_000,
    },
  };
});
