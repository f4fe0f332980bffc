// The execution Durable Object against real SQLite, D1 and alarms: retries, sleeps, kill, restart,
// new-execution retries, and the outbox keeping D1 equal to the Durable Object.
import { abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import {
  elapse,
  executionDurableObject,
  getExecution,
  runFlow,
  saveFlow,
  settled,
  startFlow,
} from "../helpers/executions";
import { createTenant, type TestTenant } from "../helpers/tenant";

/** SQLite's `ORDER BY id` compares bytes; localeCompare would fold case and order ids differently. */
const byBinaryId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const states = (ex: ExecutionJson, taskId: string) =>
  ex.taskRunList.find((r) => r.taskId === taskId)!.state.histories.map((h) => h.state);

describe("retries on alarms", () => {
  it("retries a failed task in place with a constant interval until maxAttempt, then fails the execution", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: retry-constant
namespace: qa
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    retry:
      type: constant
      interval: PT30S
      maxAttempt: 3
`,
    );
    const started = await startFlow(tenant, "qa", "retry-constant");
    let ex = await settled(tenant, started.id, (e) => e.state.current === "RETRYING");
    expect(ex.taskRunList[0]!.state.current).toBe("RETRYING");
    expect(ex.taskRunList[0]!.attempts).toHaveLength(1);

    await elapse(tenant, started.id, 10_000);
    ex = await getExecution(tenant, started.id);
    expect(ex.taskRunList[0]!.attempts).toHaveLength(1);

    await elapse(tenant, started.id, 20_000);
    ex = await settled(
      tenant,
      started.id,
      (e) => e.taskRunList[0]!.attempts.length === 2 && e.state.current === "RETRYING",
    );
    await elapse(tenant, started.id, 30_000);
    ex = await settled(tenant, started.id, (e) => e.state.current === "FAILED");
    expect(ex.taskRunList).toHaveLength(1);
    expect(ex.taskRunList[0]!.attempts.map((a) => a.state.current)).toEqual(["FAILED", "FAILED", "FAILED"]);
    expect(states(ex, "boom")).toEqual([
      "CREATED",
      "RUNNING",
      "FAILED",
      "RETRYING",
      "CREATED",
      "RUNNING",
      "FAILED",
      "RETRYING",
      "CREATED",
      "RUNNING",
      "FAILED",
    ]);
    expect(ex.state.histories.map((h) => h.state)).toEqual([
      "CREATED",
      "RUNNING",
      "RETRYING",
      "RUNNING",
      "RETRYING",
      "RUNNING",
      "FAILED",
    ]);
  });

  it("gives the same state when the alarm is delivered twice", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: retry-twice
namespace: qa
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    retry: { type: constant, interval: PT1M, maxAttempt: 2 }
`,
    );
    const started = await startFlow(tenant, "qa", "retry-twice");
    await settled(tenant, started.id, (e) => e.state.current === "RETRYING");
    await elapse(tenant, started.id, 60_000);
    const once = await settled(tenant, started.id, (e) => e.state.current === "FAILED");
    await runDurableObjectAlarm(executionDurableObject(tenant, started.id));
    await elapse(tenant, started.id, 60_000);
    const twice = await getExecution(tenant, started.id);
    expect(twice.taskRunList).toEqual(once.taskRunList);
    expect(twice.state.histories).toEqual(once.state.histories);
  });

  it("creates new executions for CREATE_NEW_EXECUTION: RETRIED, RETRIED, FAILED", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: retry-new
namespace: qa
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    retry: { type: constant, interval: PT1S, maxAttempt: 3, behavior: CREATE_NEW_EXECUTION }
`,
    );
    const first = await startFlow(tenant, "qa", "retry-new");
    const chain: ExecutionJson[] = [await settled(tenant, first.id, (e) => e.state.current === "RETRIED")];
    for (let i = 0; i < 2; i++) {
      const prev = chain[chain.length - 1]!;
      await elapse(tenant, prev.id, 1_000);
      const search = await tenant.fetch(`executions/search?flowId=retry-new&size=10`);
      expect(search.status).toBe(200);
      let next: ExecutionJson | undefined;
      for (let n = 0; n < 100 && !next; n++) {
        const found = (await (await tenant.fetch(`executions/search?flowId=retry-new&size=10`)).json()) as {
          results: ExecutionJson[];
        };
        next = found.results.find((e) => e.parentId === prev.id);
        if (!next) await new Promise((r) => setTimeout(r, 20));
      }
      expect(next, "a new execution follows").toBeDefined();
      chain.push(await settled(tenant, next!.id, (e) => ["RETRIED", "FAILED"].includes(e.state.current)));
    }
    expect(chain.map((e) => e.state.current)).toEqual(["RETRIED", "RETRIED", "FAILED"]);
    expect(chain.map((e) => e.metadata.attemptNumber)).toEqual([1, 2, 3]);
    expect(new Set(chain.map((e) => e.originalId))).toEqual(new Set([first.id]));
  });
});

describe("sleep, kill and restart", () => {
  it("ends a Sleep on its alarm, without a busy wait", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: nap\nnamespace: qa\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1H\n  - id: after\n    type: io.kestra.plugin.core.log.Log\n    message: awake\n`,
    );
    const started = await startFlow(tenant, "qa", "nap");
    await settled(tenant, started.id, (e) => e.taskRunList[0]?.state.current === "RUNNING");
    await elapse(tenant, started.id, 30 * 60_000);
    expect((await getExecution(tenant, started.id)).state.current).toBe("RUNNING");
    await elapse(tenant, started.id, 30 * 60_000);
    const ex = await settled(tenant, started.id, (e) => e.state.current === "SUCCESS");
    expect(ex.taskRunList.map((r) => r.taskId)).toEqual(["nap", "after"]);
  });

  it("kills an execution during a Sleep: the task run and the execution end KILLED, a later alarm changes nothing", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: nap-kill\nnamespace: qa\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1H\n  - id: after\n    type: io.kestra.plugin.core.log.Log\n    message: never\n`,
    );
    const started = await startFlow(tenant, "qa", "nap-kill");
    await settled(tenant, started.id, (e) => e.taskRunList[0]?.state.current === "RUNNING");
    const res = await tenant.fetch(`executions/${started.id}/kill`, { method: "DELETE" });
    expect(res.status).toBe(202);
    await elapse(tenant, started.id, 2 * 60 * 60_000);
    const ex = await getExecution(tenant, started.id);
    expect(ex.state.histories.map((h) => h.state)).toEqual(["CREATED", "RUNNING", "KILLING", "KILLED"]);
    expect(ex.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([["nap", "KILLED"]]);
    expect((await tenant.fetch(`executions/${started.id}/kill`, { method: "DELETE" })).status).toBe(409);
  });

  it("restarts a failed execution on the same id: only the failed task run re-runs with a new attempt", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: restartable
namespace: qa
tasks:
  - id: first
    type: io.kestra.plugin.core.log.Log
    message: once
  - id: flaky
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ taskrun.attemptsCount == 0 }}"
errors:
  - id: on-error
    type: io.kestra.plugin.core.log.Log
    message: handled
`,
    );
    const failed = await runFlow(tenant, "qa", "restartable");
    expect(failed.state.current).toBe("FAILED");
    expect(failed.taskRunList.map((r) => r.taskId)).toEqual(["first", "flaky", "on-error"]);
    const res = await tenant.fetch(`executions/${failed.id}/restart`, { method: "POST" });
    expect(res.status).toBe(200);
    // The answer is the execution as the restart left it, before anything moved on (Kestra's).
    const answer = (await res.json()) as ExecutionJson;
    expect(answer.id).toBe(failed.id);
    expect(answer.parentId).toBeUndefined();
    expect(answer.state.current).toBe("RESTARTED");
    expect(answer.metadata.attemptNumber).toBe(2);
    expect(answer.taskRunList.map((r) => [r.taskId, r.state.current])).toEqual([
      ["first", "SUCCESS"],
      ["flaky", "RESTARTED"],
    ]);
    expect(answer.taskRunList[1]!.attempts).toHaveLength(1);
    const ex = await settled(tenant, failed.id, (e) => e.state.current === "SUCCESS");
    expect(ex.metadata.attemptNumber).toBe(2);
    expect(ex.taskRunList.map((r) => r.taskId)).toEqual(["first", "flaky"]);
    expect(ex.taskRunList[0]!.id).toBe(failed.taskRunList[0]!.id);
    expect(ex.taskRunList[1]!.attempts.map((a) => a.state.current)).toEqual(["FAILED", "SUCCESS"]);
    expect(states(ex, "flaky")).toEqual(["CREATED", "RUNNING", "FAILED", "RESTARTED", "RUNNING", "SUCCESS"]);
    // Kestra's refusal: an IllegalArgument, so 422 with its message.
    const again = await tenant.fetch(`executions/${failed.id}/restart`, { method: "POST" });
    expect(again.status).toBe(422);
    expect(((await again.json()) as { message: string }).message).toBe("No task found to restart execution from!");
  });
});

describe("the outbox keeps D1 equal to the Durable Object", () => {
  async function indexed(tenant: TestTenant, id: string) {
    const ex = await env.DB.prepare("SELECT state, doc FROM executions WHERE tenant_id = ? AND id = ?")
      .bind(tenant.tenantId, id)
      .first<{ state: string; doc: string }>();
    const runs = await env.DB.prepare(
      "SELECT id, state FROM task_runs WHERE tenant_id = ? AND execution_id = ? ORDER BY id",
    )
      .bind(tenant.tenantId, id)
      .all<{ id: string; state: string }>();
    return { state: ex?.state, runs: runs.results };
  }

  it("finishes the execution and fills D1 after every Durable Object was aborted mid-run", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: survive\nnamespace: qa\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT10M\n  - id: done\n    type: io.kestra.plugin.core.debug.Return\n    format: ok\n`,
    );
    const started = await startFlow(tenant, "qa", "survive");
    await settled(tenant, started.id, (e) => e.taskRunList[0]?.state.current === "RUNNING");
    await abortAllDurableObjects();
    await elapse(tenant, started.id, 10 * 60_000);
    const ex = await settled(tenant, started.id, (e) => e.state.current === "SUCCESS");
    await runDurableObjectAlarm(executionDurableObject(tenant, started.id));
    let d1 = await indexed(tenant, started.id);
    for (let i = 0; i < 100 && d1.state !== "SUCCESS"; i++) {
      await new Promise((r) => setTimeout(r, 20));
      d1 = await indexed(tenant, started.id);
    }
    expect(d1.state).toBe("SUCCESS");
    expect(d1.runs).toEqual(ex.taskRunList.map((r) => ({ id: r.id, state: r.state.current })).sort(byBinaryId));
  });

  it("a replayed drain changes nothing: upserts only apply newer versions", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: quick\nnamespace: qa\ntasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`,
    );
    const ex = await runFlow(tenant, "qa", "quick");
    const stub = executionDurableObject(tenant, ex.id);
    await stub.poke();
    const before = await env.DB.prepare("SELECT version, doc FROM task_runs WHERE tenant_id = ? AND execution_id = ?")
      .bind(tenant.tenantId, ex.id)
      .all();
    expect(before.results).toHaveLength(1);
    await env.DB.prepare(
      "UPDATE task_runs SET version = version + 1000000000000 WHERE tenant_id = ? AND execution_id = ?",
    )
      .bind(tenant.tenantId, ex.id)
      .run();
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("INSERT INTO outbox (key, version) SELECT 'taskrun:' || id, 1 FROM task_runs");
    });
    await stub.poke();
    const after = await env.DB.prepare("SELECT doc FROM task_runs WHERE tenant_id = ? AND execution_id = ?")
      .bind(tenant.tenantId, ex.id)
      .all();
    expect(after.results.map((r) => r.doc)).toEqual(before.results.map((r) => r.doc));
    const logs = await env.DB.prepare("SELECT COUNT(*) AS n FROM logs WHERE tenant_id = ? AND execution_id = ?")
      .bind(tenant.tenantId, ex.id)
      .first<{ n: number }>();
    expect(logs?.n).toBe(1);
  });

  it("a restart that drops the errors branch drops its task runs from D1 too", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      [
        "id: broken",
        "namespace: qa",
        "tasks:",
        "  - id: boom",
        "    type: io.kestra.plugin.core.execution.Fail",
        "errors:",
        "  - id: handle",
        "    type: io.kestra.plugin.core.log.Log",
        "    message: handled",
        "",
      ].join("\n"),
    );
    const first = await runFlow(tenant, "qa", "broken");
    expect(first.state.current).toBe("FAILED");
    const droppedId = first.taskRunList.find((r) => r.taskId === "handle")!.id;
    const stub = executionDurableObject(tenant, first.id);
    await stub.poke();
    expect((await indexed(tenant, first.id)).runs.map((r) => r.id)).toContain(droppedId);
    expect((await tenant.fetch(`executions/${first.id}/restart`, { method: "POST" })).status).toBe(200);
    const again = await settled(tenant, first.id, (e) => e.state.current === "FAILED" && e.taskRunList.length === 2);
    await stub.poke();
    const d1 = await indexed(tenant, first.id);
    expect(d1.runs.map((r) => r.id)).not.toContain(droppedId);
    expect(d1.runs).toEqual(again.taskRunList.map((r) => ({ id: r.id, state: r.state.current })).sort(byBinaryId));
  });

  it("indexes 300 log lines and 600 metrics of one execution, each once", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      [
        "id: chatty",
        "namespace: qa",
        "tasks:",
        "  - id: each",
        "    type: io.kestra.plugin.core.flow.ForEach",
        '    values: "{{ range(1, 300) }}"',
        "    concurrencyLimit: 0",
        "    tasks:",
        "      - id: say",
        "        type: io.kestra.plugin.core.log.Log",
        '        message: "line {{ taskrun.value }}"',
        "      - id: give",
        "        type: io.kestra.plugin.core.debug.Return",
        '        format: "{{ taskrun.value }}"',
        "",
      ].join("\n"),
    );
    const ex = await runFlow(tenant, "qa", "chatty");
    expect(ex.state.current).toBe("SUCCESS");
    const stub = executionDurableObject(tenant, ex.id);
    await stub.poke();
    await stub.poke(); // a second drain finds nothing new and writes nothing twice
    const count = async (table: string) =>
      (await env.DB.prepare(
        `SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM ${table} WHERE tenant_id = ? AND execution_id = ?`,
      )
        .bind(tenant.tenantId, ex.id)
        .first<{ n: number; d: number }>())!;
    expect(await count("logs")).toEqual({ n: 300, d: 300 });
    const metrics = await count("metrics");
    expect(metrics.n).toBe(metrics.d);
    expect(metrics.n).toBeGreaterThanOrEqual(300);
    const own = await runInDurableObject(stub, (_o, state) => ({
      logs: state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM logs").one().n,
      metrics: state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM metrics").one().n,
      outbox: state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n,
    }));
    expect(own).toEqual({ logs: 300, metrics: metrics.n, outbox: 0 });
  });

  it("an object stored before the log stream (log lines as outbox keys) still indexes them", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: older\nnamespace: qa\ntasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: from before\n`,
    );
    const ex = await runFlow(tenant, "qa", "older");
    const stub = executionDurableObject(tenant, ex.id);
    await stub.poke();
    await env.DB.prepare("DELETE FROM logs WHERE tenant_id = ? AND execution_id = ?")
      .bind(tenant.tenantId, ex.id)
      .run();
    // Back to the old layout: no stream table, and the line known only by its outbox key.
    await runInDurableObject(stub, (_o, state) => {
      state.storage.sql.exec("DROP TABLE sent");
      state.storage.sql.exec("INSERT INTO outbox (key, version) SELECT 'log:' || seq, 1 FROM logs");
    });
    await abortAllDurableObjects();
    await executionDurableObject(tenant, ex.id).poke();
    const logs = await env.DB.prepare("SELECT message FROM logs WHERE tenant_id = ? AND execution_id = ?")
      .bind(tenant.tenantId, ex.id)
      .all<{ message: string }>();
    expect(logs.results.map((r) => r.message)).toEqual(["from before"]);
  });
});
