import { describe, expect, it } from "vitest";
import { examples } from "../fixtures/examples";
import { logsOf, runFlow, saveFlow } from "../helpers/executions";
import { createTenant } from "../helpers/tenant";

describe("running a flow through the API", () => {
  it("taskrun.yaml returns the task run variable as JSON with id, startDate and attemptsCount 0", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, examples.taskrun!);
    const ex = await runFlow(tenant, "company.team", "taskrun");
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.taskRunList).toHaveLength(1);
    const run = ex.taskRunList[0]!;
    expect(run.taskId).toBe("return");
    expect(run.state.histories.map((h) => h.state)).toEqual(["CREATED", "RUNNING", "SUCCESS"]);
    const value = JSON.parse(String(run.outputs?.value)) as Record<string, unknown>;
    expect(value.id).toBe(run.id);
    expect(value.attemptsCount).toBe(0);
    expect(Number.isNaN(Date.parse(String(value.startDate)))).toBe(false);
    expect(run.attempts[0]?.metrics?.map((m) => m.name).sort()).toEqual(["duration", "length"]);
  });

  it("a task after a Labels task renders the new labels, one before it the old ones", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      [
        "id: relabel",
        "namespace: qa",
        "labels:",
        "  team: ops",
        "tasks:",
        "  - id: before",
        "    type: io.kestra.plugin.core.log.Log",
        "    message: \"team={{ labels.team }} env={{ labels.env ?? 'none' }}\"",
        "  - id: relabel",
        "    type: io.kestra.plugin.core.execution.Labels",
        "    labels:",
        "      team: data",
        "      env: prod",
        "  - id: after",
        "    type: io.kestra.plugin.core.log.Log",
        '    message: "team={{ labels.team }} env={{ labels.env }}"',
        "",
      ].join("\n"),
    );
    const ex = await runFlow(tenant, "qa", "relabel");
    expect(ex.state.current).toBe("SUCCESS");
    expect((await logsOf(tenant, ex.id)).map((l) => l.message)).toEqual(["team=ops env=none", "team=data env=prod"]);
  });

  it("keeps a task's log lines at or above its logLevel and drops the ones below", async () => {
    const tenant = await createTenant();
    const log = (id: string, level: string, logLevel?: string) =>
      `  - id: ${id}\n    type: io.kestra.plugin.core.log.Log\n    level: ${level}\n    message: ${id}\n${logLevel ? `    logLevel: ${logLevel}\n` : ""}`;
    await saveFlow(
      tenant,
      `id: levels\nnamespace: qa\ntasks:\n${log("debug_under_info", "DEBUG", "INFO")}${log("warn_over_info", "WARN", "INFO")}${log("info_at_info", "INFO", "INFO")}${log("info_under_error", "INFO", "ERROR")}${log("trace_default", "TRACE")}`,
    );
    const ex = await runFlow(tenant, "qa", "levels");
    expect(ex.state.current).toBe("SUCCESS");
    const messages = (await logsOf(tenant, ex.id)).filter((l) => l.taskId).map((l) => l.message);
    expect(messages).toEqual(["warn_over_info", "info_at_info", "trace_default"]);
  });

  it("loop.yaml runs one log task run per value with value, iteration and the foreach as parent", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, examples.loop!);
    const ex = await runFlow(tenant, "company.team", "loop");
    expect(ex.state.current).toBe("SUCCESS");
    const foreach = ex.taskRunList.filter((r) => r.taskId === "foreach");
    const logs = ex.taskRunList.filter((r) => r.taskId === "log");
    expect(foreach).toHaveLength(1);
    expect(logs.map((r) => [r.value, r.iteration, r.parentTaskRunId])).toEqual([
      ["1", 0, foreach[0]!.id],
      ["2", 1, foreach[0]!.id],
    ]);
    const lines = (await logsOf(tenant, ex.id)).filter((l) => l.taskId === "log").map((l) => l.message);
    expect(lines).toHaveLength(14);
    expect(lines[1]).toBe("1");
    expect(lines[4]).toBe("0");
    expect(lines[5]).toBe(foreach[0]!.id);
    expect(lines[6]).toBe("0");
    expect(lines[13]).toBe("1");
  });

  it("gives errorLogs() to the errors branch and Worker variables named KESTRA_X as envs.x", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: diagnose
namespace: qa
tasks:
  - id: where
    type: io.kestra.plugin.core.log.Log
    message: "region {{ envs.region }}"
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: "disk full"
errors:
  - id: report
    type: io.kestra.plugin.core.log.Log
    message: "{{ errorLogs()[0].taskId }} said {{ errorLogs()[0].message }}"
`,
    );
    const ex = await runFlow(tenant, "qa", "diagnose");
    expect(ex.state.current).toBe("FAILED");
    const messages = (await logsOf(tenant, ex.id)).map((l) => l.message);
    expect(messages[0]).toBe("region eu-test");
    expect(messages).toContain("boom said disk full");
  });

  it("gives the GLOBALS Worker variable as globals, camelCase keys hyphenated as in Kestra", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      `id: globals
namespace: qa
tasks:
  - id: read
    type: io.kestra.plugin.core.debug.Return
    format: "{{ globals.string }} {{ globals.int + globals.nested.int }} {{ globals['my-var'] }}"
`,
    );
    const ex = await runFlow(tenant, "qa", "globals");
    expect(ex.taskRunList[0]?.outputs).toEqual({ value: "string 3 my variable" });
  });
});
