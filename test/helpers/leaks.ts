// Test helpers for proving that a value never reaches storage: every text cell of D1 as one
// haystack per table, and an execution's outbox drained to D1 now (what its alarm would do).
import { env, runInDurableObject } from "cloudflare:test";
import type { ExecutionDurableObject } from "../../worker/execution/durable-object";
import { executionDurableObject } from "./executions";
import type { TestTenant } from "./tenant";

/** Every cell of every table of the D1 database, as one haystack per table. */
export async function everyD1Cell(): Promise<Map<string, string>> {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  const out = new Map<string, string>();
  for (const { name } of tables.results) {
    const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all<Record<string, unknown>>();
    out.set(name, rows.results.map((r) => Object.values(r).map(String).join("\u0001")).join("\n"));
  }
  return out;
}

/** Drains the execution's outbox to D1 at once, as its next alarm (or the sweeper's poke) would. */
export async function indexNow(tenant: TestTenant, executionId: string): Promise<void> {
  await runInDurableObject(executionDurableObject(tenant, executionId), (o: ExecutionDurableObject) => o.poke());
}

/** Every row of the execution's own SQLite tables, as one haystack. */
export function everyDurableObjectCell(tenant: TestTenant, executionId: string): Promise<string> {
  return everyCellOf(executionDurableObject(tenant, executionId));
}

/** Every row of a Durable Object's own SQLite tables (an execution's, a tenant's triggers'), as one haystack. */
export async function everyCellOf(stub: DurableObjectStub): Promise<string> {
  return runInDurableObject(stub, (_o: unknown, state) => {
    const tables = state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
      )
      .toArray();
    return tables
      .map(({ name }) =>
        state.storage.sql
          .exec(`SELECT * FROM "${name}"`)
          .toArray()
          .map((r) => Object.values(r).map(String).join("\u0001"))
          .join("\n"),
      )
      .join("\n");
  });
}
