// A Pause's SECRET onResume inputs: sealed by the resume request, `******` in the task run's
// outputs (responses, D1, the object's SQLite), opened only where an expression reads
// `outputs.<pause>.onResume.x`, masked in what that renders, and sealed again for a replay.
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { logsOf, saveFlow, settled, startFlow } from "../helpers/executions";
import { everyD1Cell, everyDurableObjectCell, indexNow } from "../helpers/leaks";
import { createTenant, type TestTenant } from "../helpers/tenant";

const P = "io.kestra.plugin.core";
const TOKEN = "resume-token-7f3c9e21";

const flow = `id: approve
namespace: qa
tasks:
  - id: gate
    type: ${P}.flow.Pause
    onResume:
      - id: token
        type: SECRET
      - id: note
        type: STRING
  - id: report
    type: ${P}.log.Log
    message: "token={{ outputs.gate.onResume.token }} len={{ outputs.gate.onResume.token | length }} note={{ outputs.gate.onResume.note }}"
  - id: keep
    type: ${P}.output.OutputValues
    values:
      token: "{{ outputs.gate.onResume.token }}"
outputs:
  - id: seen
    type: STRING
    value: "seen {{ outputs.gate.onResume.token }}"
`;

async function resumed(t: TestTenant): Promise<{ ex: ExecutionJson; answer: string }> {
  await saveFlow(t, flow);
  const started = await startFlow(t, "qa", "approve");
  await settled(t, started.id, (e) => e.state.current === "PAUSED");
  const res = await t.fetch(`executions/${started.id}/resume`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: TOKEN, note: "looks fine" }),
  });
  expect(res.status).toBe(204);
  const ex = await settled(t, started.id, (e) => e.state.current === "SUCCESS");
  return { ex, answer: await res.text() };
}

describe("SECRET onResume inputs", () => {
  it("render decrypted where an expression reads them, yet show ****** in outputs, logs, responses, D1 and the object's SQLite", async () => {
    const t = await createTenant();
    const { ex, answer } = await resumed(t);
    expect(ex.taskRunList.find((r) => r.taskId === "gate")?.outputs).toEqual({
      onResume: { token: "******", note: "looks fine" },
    });
    const logs = await logsOf(t, ex.id);
    // The length proves the plaintext was there when rendering.
    expect(logs.map((l) => l.message)).toContain(`token=****** len=${TOKEN.length} note=looks fine`);
    expect(ex.taskRunList.find((r) => r.taskId === "keep")?.outputs).toEqual({ values: { token: "******" } });
    expect(ex.outputs).toEqual({ seen: "seen ******" });

    const responses = [
      answer,
      JSON.stringify(logs),
      await (await t.fetch(`executions/${ex.id}`)).text(),
      await (await t.fetch("taskruns/search?namespace=qa")).text(),
      await (await t.fetch(`logs/${ex.id}/download`)).text(),
    ];
    await indexNow(t, ex.id);
    const stored = [...(await everyD1Cell()).values(), await everyDurableObjectCell(t, ex.id)];
    for (const haystack of [...responses, ...stored]) expect(haystack.includes(TOKEN)).toBe(false);
    // Sealed, not dropped: the object's SQLite holds the ciphertext.
    expect(await everyDurableObjectCell(t, ex.id)).toContain('"sealedOutputs"');
  });

  it("are sealed again for a replay from a later task run, which renders the same value", async () => {
    const t = await createTenant();
    const { ex } = await resumed(t);
    const report = ex.taskRunList.find((r) => r.taskId === "report");
    const res = await t.fetch(`executions/${ex.id}/replay?taskRunId=${report?.id}`, { method: "POST" });
    expect(res.status).toBe(200);
    const replay = (await res.json()) as ExecutionJson;
    const ended = await settled(t, replay.id, (e) => e.state.current === "SUCCESS");
    expect(ended.taskRunList.map((r) => r.taskId)).toEqual(["gate", "report", "keep"]);
    const messages = (await logsOf(t, replay.id)).map((l) => l.message);
    expect(messages).toContain(`token=****** len=${TOKEN.length} note=looks fine`);
    expect(await everyDurableObjectCell(t, replay.id)).not.toContain(TOKEN);
  });
});
