import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** Non-empty: test/faults runs its large figures. */
      FAULTS_LARGE: string;
    }
  }
  // Vite's glob import, which Vite expands when it transforms a test module (test/fixtures/examples.ts).
  interface ImportMeta {
    glob<T>(pattern: string, options: { query: "?raw"; import: "default"; eager: true }): Record<string, T>;
  }
}
