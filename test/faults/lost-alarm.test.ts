// Fault suite, R6: a lost alarm (deleted, or exhausted after its retries: the platform stops
// delivering it either way). Executions waiting on a Sleep or a retry lose their alarm; once their
// wait is over and their index row has not moved for the sweep's interval, one sweep brings every
// one of them to its end, and the index says so. Prints its figures.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ExecutionDurableObject } from "../../worker/execution/durable-object";
import { sweepStalledExecutions } from "../../worker/execution/sweeper";
import { executionDurableObject, saveFlow, settled, startFlow } from "../helpers/executions";
import { indexNow } from "../helpers/leaks";
import { createTenant } from "../helpers/tenant";

const COUNT = env.FAULTS_LARGE ? 50 : 8;
const LONG_AGO = "2000-01-01T00:00:00.000Z";

const SLEEPER = `id: sleeper
namespace: lost
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT2M
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: woke
`;
const RETRIER = `id: retrier
namespace: lost
tasks:
  - id: flaky
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: always
    retry:
      type: constant
      interval: PT2M
      maxAttempt: 2
`;

describe("fault suite: a lost alarm (R6)", () => {
  it(`resumes ${COUNT} executions whose alarm was lost, at the next sweep`, async () => {
    const t = await createTenant();
    await saveFlow(t, SLEEPER);
    await saveFlow(t, RETRIER);
    const started = [];
    for (let i = 0; i < COUNT; i++) started.push(await startFlow(t, "lost", i % 2 ? "retrier" : "sleeper"));
    for (const ex of started) {
      // Waiting on its alarm (the sleep, or the retry's interval)…
      await settled(
        t,
        ex.id,
        (e) => e.taskRunList[0]?.state.current === (e.flowId === "retrier" ? "RETRYING" : "RUNNING"),
      );
      await indexNow(t, ex.id);
      const stub = executionDurableObject(t, ex.id);
      // …which is lost, while the time it waited for passes.
      await runInDurableObject(stub, async (o: ExecutionDurableObject, state) => {
        await state.storage.deleteAlarm();
        o.advanceClock(5 * 60_000);
      });
      expect(await runInDurableObject(stub, (_o, state) => state.storage.getAlarm())).toBeNull();
    }
    // The index rows have not moved for longer than the sweep's stall interval.
    await env.DB.prepare("UPDATE executions SET updated_at = ? WHERE tenant_id = ?").bind(LONG_AGO, t.tenantId).run();

    const report = await sweepStalledExecutions(env);
    expect(report.poked + report.reprojected).toBeGreaterThanOrEqual(COUNT);

    const ended = await Promise.all(
      started.map((ex) => settled(t, ex.id, (e) => ["SUCCESS", "FAILED"].includes(e.state.current))),
    );
    expect(ended.map((e) => `${e.flowId}:${e.state.current}`).sort()).toEqual(
      started.map((_e, i) => (i % 2 ? "retrier:FAILED" : "sleeper:SUCCESS")).sort(),
    );
    // The retrier really retried after the lost alarm: two attempts.
    for (const e of ended.filter((x) => x.flowId === "retrier")) {
      expect(e.taskRunList[0]!.attempts).toHaveLength(2);
    }
    for (const e of ended) await indexNow(t, e.id);
    const rows = await env.DB.prepare("SELECT state FROM executions WHERE tenant_id = ?")
      .bind(t.tenantId)
      .all<{ state: string }>();
    expect(rows.results.filter((r) => r.state === "RUNNING")).toEqual([]);
    console.log(
      `fault suite, R6: ${COUNT} executions lost their alarm mid-wait; one sweep ended all ${COUNT}, index equal`,
    );
  }, 120_000);
});
