// The D1 index's task-run search orders by start date, then id (worker/db/executions.ts): each of
// its filters must have an index that yields rows in that order, or every page of a big execution
// sorts all of its task runs again.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";

const ORDER = "ORDER BY start_date ASC, id ASC LIMIT 100 OFFSET 100";

async function plan(where: string, ...params: string[]): Promise<string> {
  const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN SELECT doc FROM task_runs WHERE ${where} ${ORDER}`)
    .bind(...params)
    .all<{ detail: string }>();
  return rows.results.map((r) => r.detail).join(" | ");
}

describe("D1 indexes", () => {
  it("read a page of task runs by execution, flow, state or parent in index order, without sorting them", async () => {
    const plans = [
      await plan("tenant_id = ? AND execution_id = ?", "t", "e"),
      await plan("tenant_id = ? AND namespace = ? AND flow_id = ?", "t", "ns", "f"),
      await plan("tenant_id = ? AND state = ?", "t", "SUCCESS"),
      await plan("tenant_id = ? AND parent_task_run_id = ?", "t", "p"),
    ];
    for (const p of plans) {
      expect(p).toMatch(/USING (COVERING )?INDEX task_runs_/);
      expect(p).not.toMatch(/TEMP B-TREE/);
    }
  });

  it("read the task runs sorted by duration from an index", async () => {
    const rows = await env.DB.prepare(
      "EXPLAIN QUERY PLAN SELECT doc FROM task_runs WHERE tenant_id = ? ORDER BY duration_ms DESC, id DESC LIMIT 10",
    )
      .bind("t")
      .all<{ detail: string }>();
    const p = rows.results.map((r) => r.detail).join(" | ");
    expect(p).toMatch(/INDEX task_runs_duration/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });

  it("read the Task Runs page sorted by end date, and one task's runs by duration, from an index", async () => {
    const explain = async (sql: string, ...params: string[]) =>
      (
        await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .bind(...params)
          .all<{ detail: string }>()
      ).results
        .map((r) => r.detail)
        .join(" | ");
    const byEnd = await explain(
      "SELECT doc FROM task_runs WHERE tenant_id = ? ORDER BY end_date DESC, id DESC LIMIT 50",
      "t",
    );
    expect(byEnd).toMatch(/INDEX task_runs_end/);
    expect(byEnd).not.toMatch(/TEMP B-TREE/);
    const taskByDuration = await explain(
      "SELECT doc FROM task_runs WHERE tenant_id = ? AND task_id = ? ORDER BY duration_ms DESC, id DESC LIMIT 50",
      "t",
      "nap",
    );
    expect(taskByDuration).toMatch(/INDEX task_runs_task_duration/);
    expect(taskByDuration).not.toMatch(/TEMP B-TREE/);
  });
});
