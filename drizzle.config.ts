import { defineConfig } from "drizzle-kit";

// Migrations land where `wrangler d1 migrations apply` and the tests read them.
export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/db/index.ts",
  out: "./schema/migrations",
});
