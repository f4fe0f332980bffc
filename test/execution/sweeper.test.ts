// The sweeper (execution/sweeper.ts): an index row left non-terminal while its object has ended
// (a lost D1 write, a crash between the drain and the acknowledgement) is projected again, task
// runs included; a row whose object does not exist is reported and creates no storage.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sweepStalledExecutions } from "../../worker/execution/sweeper";
import { newId } from "../../worker/ids";
import { runFlow, saveFlow } from "../helpers/executions";
import { indexNow } from "../helpers/leaks";
import { createTenant } from "../helpers/tenant";

const LONG_AGO = "2000-01-01T00:00:00.000Z";

describe("sweeper", () => {
  it("projects an ended execution again when its index row is stuck RUNNING, task runs included", async () => {
    const t = await createTenant();
    await saveFlow(
      t,
      "id: two\nnamespace: sw\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.debug.Return\n    format: x\n  - id: b\n    type: io.kestra.plugin.core.debug.Return\n    format: y\n",
    );
    const ex = await runFlow(t, "sw", "two");
    expect(ex.state.current).toBe("SUCCESS");
    await indexNow(t, ex.id);
    // The index falls behind its object, as after a lost write.
    await env.DB.prepare("UPDATE executions SET state = 'RUNNING', updated_at = ? WHERE tenant_id = ? AND id = ?")
      .bind(LONG_AGO, t.tenantId, ex.id)
      .run();
    await env.DB.prepare("UPDATE task_runs SET state = 'RUNNING' WHERE tenant_id = ? AND execution_id = ?")
      .bind(t.tenantId, ex.id)
      .run();

    const report = await sweepStalledExecutions(env);
    expect(report.reprojected).toBeGreaterThanOrEqual(1);

    const row = await env.DB.prepare("SELECT state FROM executions WHERE tenant_id = ? AND id = ?")
      .bind(t.tenantId, ex.id)
      .first<{ state: string }>();
    expect(row?.state).toBe("SUCCESS");
    const runs = await env.DB.prepare("SELECT state FROM task_runs WHERE tenant_id = ? AND execution_id = ?")
      .bind(t.tenantId, ex.id)
      .all<{ state: string }>();
    expect(runs.results.map((r) => r.state)).toEqual(["SUCCESS", "SUCCESS"]);
  });

  it("reports an index row whose object does not exist, and leaves no storage behind", async () => {
    const t = await createTenant();
    const id = newId();
    await env.DB.prepare(
      `INSERT INTO executions (tenant_id, id, namespace, flow_id, flow_revision, state, start_date, labels, doc, version, deleted, updated_at)
       VALUES (?, ?, 'sw', 'ghost', 1, 'RUNNING', ?, '[]', '{}', 1, 0, ?)`,
    )
      .bind(t.tenantId, id, LONG_AGO, LONG_AGO)
      .run();
    const report = await sweepStalledExecutions(env);
    expect(report.missing).toBeGreaterThanOrEqual(1);
    const res = await t.fetch(`executions/${id}`);
    expect(res.status).toBe(404);
  });
});
