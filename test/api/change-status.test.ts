// POST executions/{id}/change-status (Kestra's): a terminated execution to another terminal state.
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { runFlow, saveFlow, settled, startFlow } from "../helpers/executions";
import { createTenant } from "../helpers/tenant";

describe("change-status", () => {
  it("moves a terminated execution to another terminal state, answers it and keeps it so", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      "id: doomed\nnamespace: qa\ntasks:\n  - id: boom\n    type: io.kestra.plugin.core.execution.Fail\n",
    );
    const failed = await runFlow(tenant, "qa", "doomed");
    expect(failed.state.current).toBe("FAILED");
    const res = await tenant.fetch(`executions/${failed.id}/change-status?status=SUCCESS`, { method: "POST" });
    expect(res.status).toBe(200);
    const changed = (await res.json()) as ExecutionJson;
    expect(changed.state.current).toBe("SUCCESS");
    expect(changed.state.histories.map((h) => h.state).slice(-2)).toEqual(["FAILED", "SUCCESS"]);
    const read = await settled(tenant, failed.id, (e) => e.state.current === "SUCCESS");
    expect(read.taskRunList[0]!.state.current).toBe("FAILED");
  });

  it("refuses a running execution (409), a non-terminal target (409 or 422) and an unknown execution (404)", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      "id: napper\nnamespace: qa\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1H\n",
    );
    const running = await startFlow(tenant, "qa", "napper");
    await settled(tenant, running.id, (e) => e.state.current === "RUNNING");
    const refused = await tenant.fetch(`executions/${running.id}/change-status?status=SUCCESS`, { method: "POST" });
    expect(refused.status).toBe(409);
    await saveFlow(
      tenant,
      "id: quick\nnamespace: qa\ntasks:\n  - id: hi\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
    );
    const done = await runFlow(tenant, "qa", "quick");
    const toRunning = await tenant.fetch(`executions/${done.id}/change-status?status=RUNNING`, { method: "POST" });
    expect([409, 422]).toContain(toRunning.status);
    const bogus = await tenant.fetch(`executions/${done.id}/change-status?status=NOPE`, { method: "POST" });
    expect(bogus.status).toBe(422);
    expect((await tenant.fetch("executions/nope/change-status?status=SUCCESS", { method: "POST" })).status).toBe(404);
    await tenant.fetch(`executions/${running.id}/kill`, { method: "DELETE" });
  });
});
