// SECRET inputs: sealed at rest (per tenant and execution), decrypted only where the execution
// renders `{{ inputs.x }}`, masked in logs and outputs, and shown as `******` in every response
// and stored row, including after a replay and in a subflow it is passed to.
import { describe, expect, it } from "vitest";
import type { Execution } from "../../worker/engine/types";
import type { ExecutionJson } from "../../worker/execution/json";
import { sealInputs, withSecretInputs } from "../../worker/secrets/inputs";
import { SecretMasker } from "../../worker/secrets/masker";
import { logsOf, saveFlow, settled } from "../helpers/executions";
import { everyD1Cell, everyDurableObjectCell, indexNow } from "../helpers/leaks";
import { createTenant } from "../helpers/tenant";

const P = "io.kestra.plugin.core";
const PASSWORD = "hunter2-but-longer-5b7c";
const TOKEN = "nested-token-9a0e44";
const KEY = { SECRETS_KEY: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" };

const child = `id: child
namespace: qa.sub
inputs:
  - id: handed
    type: SECRET
tasks:
  - id: got
    type: ${P}.log.Log
    message: "child got {{ inputs.handed }} of length {{ inputs.handed | length }}"
`;

const parent = `id: secret-inputs
namespace: qa
inputs:
  - id: password
    type: SECRET
  - id: db.token
    type: SECRET
    required: false
  - id: user
    type: STRING
outputs:
  - id: echoed
    type: STRING
    value: "out {{ inputs.password }}"
tasks:
  - id: log
    type: ${P}.log.Log
    message: "pw={{ inputs.password }} len={{ inputs.password | length }} token-len={{ inputs.db.token | length }} user={{ inputs.user }}"
  - id: out
    type: ${P}.output.OutputValues
    values:
      pw: "{{ inputs.password }}"
      all: "{{ inputs | toJson }}"
  - id: loop
    type: ${P}.flow.ForEach
    values: '["{{ inputs.password }}"]'
    tasks:
      - id: inner
        type: ${P}.log.Log
        message: "iteration {{ taskrun.value }}"
  - id: sub
    type: ${P}.flow.Subflow
    namespace: qa.sub
    flowId: child
    inputs:
      handed: "{{ inputs.password }}"
`;

async function start(t: Awaited<ReturnType<typeof createTenant>>): Promise<{ ex: ExecutionJson; created: string }> {
  const res = await t.fetch("executions/qa/secret-inputs?wait=true", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ password: PASSWORD, "db.token": TOKEN, user: "alice" }),
  });
  expect(res.status).toBe(200);
  const created = await res.text();
  return { ex: JSON.parse(created) as ExecutionJson, created };
}

describe("SECRET inputs", () => {
  it("render decrypted inside the execution, yet show ****** in responses, logs, outputs, D1 and the object's SQLite", async () => {
    const t = await createTenant();
    await saveFlow(t, child);
    await saveFlow(t, parent);
    const { ex, created } = await start(t);
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.inputs).toEqual({ password: "******", db: { token: "******" }, user: "alice" });

    const logs = await logsOf(t, ex.id);
    const messages = logs.map((l) => l.message);
    // The lengths prove the plaintext was there when rendering.
    expect(messages).toContain(`pw=****** len=${PASSWORD.length} token-len=${TOKEN.length} user=alice`);
    expect(messages).toContain("iteration ******");
    const out = ex.taskRunList.find((r) => r.taskId === "out")?.outputs as { values: Record<string, string> };
    expect(out.values.pw).toBe("******");
    expect(JSON.parse(out.values.all ?? "{}")).toEqual({ password: "******", db: { token: "******" }, user: "alice" });
    expect(ex.outputs).toEqual({ echoed: "out ******" });

    // The subflow received the value, sealed it for itself, and masks it too.
    const childId = String(ex.taskRunList.find((r) => r.taskId === "sub")?.outputs?.executionId);
    const kid = await settled(t, childId, (e) => e.state.current === "SUCCESS");
    expect(kid.inputs).toEqual({ handed: "******" });
    const childLogs = await logsOf(t, childId);
    expect(childLogs.map((l) => l.message)).toContain(`child got ****** of length ${PASSWORD.length}`);

    const responses = [
      created,
      JSON.stringify(logs),
      JSON.stringify(childLogs),
      await (await t.fetch(`executions/${ex.id}`)).text(),
      await (await t.fetch(`executions/${childId}`)).text(),
      await (await t.fetch("executions/search?namespace=qa")).text(),
      await (await t.fetch("taskruns/search?namespace=qa")).text(),
      await (await t.fetch(`logs/${ex.id}/download`)).text(),
    ];
    await indexNow(t, ex.id);
    await indexNow(t, childId);
    const stored = [
      ...(await everyD1Cell()).values(),
      await everyDurableObjectCell(t, ex.id),
      await everyDurableObjectCell(t, childId),
    ];
    for (const haystack of [...responses, ...stored]) {
      expect(haystack.includes(PASSWORD)).toBe(false);
      expect(haystack.includes(TOKEN)).toBe(false);
    }
    // Sealed, not dropped: the object's SQLite holds the ciphertext.
    expect(await everyDurableObjectCell(t, ex.id)).toContain('"secretInputs"');
  });

  it("are sealed again for a replay, which renders the same value", async () => {
    const t = await createTenant();
    await saveFlow(t, child);
    await saveFlow(t, parent);
    const { ex } = await start(t);
    const res = await t.fetch(`executions/${ex.id}/replay`, { method: "POST" });
    expect(res.status).toBe(200);
    const replayed = JSON.parse(await res.text()) as ExecutionJson;
    expect(replayed.id).not.toBe(ex.id);
    expect(replayed.inputs).toMatchObject({ password: "******" });
    const ended = await settled(t, replayed.id, (e) => e.state.current === "SUCCESS");
    const messages = (await logsOf(t, ended.id)).map((l) => l.message);
    expect(messages).toContain(`pw=****** len=${PASSWORD.length} token-len=${TOKEN.length} user=alice`);
    expect(await everyDurableObjectCell(t, replayed.id)).not.toContain(PASSWORD);
  });
});

describe("sealInputs", () => {
  const execution = (id: string, secretInputs: Execution["secretInputs"]): Execution => ({
    id,
    tenantId: "t1",
    namespace: "qa",
    flowId: "f",
    flowRevision: 1,
    inputs: { pw: "******" },
    secretInputs,
    labels: [],
    state: { current: "RUNNING", histories: [] },
    originalId: id,
    metadata: { attemptNumber: 1, originalCreatedDate: "2026-01-01T00:00:00Z" },
    deleted: false,
  });

  it("binds the ciphertext to its tenant and execution: copied to another execution it does not open", async () => {
    const sealed = await sealInputs(KEY, { tenantId: "t1", executionId: "ex1" }, [{ id: "pw", type: "SECRET" }], {
      pw: "s3cret-value",
      other: 1,
    });
    expect(sealed?.inputs).toEqual({ pw: "******", other: 1 });
    expect(JSON.stringify(sealed)).not.toContain("s3cret-value");
    const masker = new SecretMasker();
    const vars = await withSecretInputs(KEY, execution("ex1", sealed?.sealed), { inputs: { pw: "******" } }, masker);
    expect(vars.inputs).toEqual({ pw: "s3cret-value" });
    expect(masker.mask("x s3cret-value y")).toBe("x ****** y");
    await expect(
      withSecretInputs(KEY, execution("ex2", sealed?.sealed), { inputs: {} }, new SecretMasker()),
    ).rejects.toThrow();
  });

  it("seals an ARRAY of SECRET whole and masks each of its items", async () => {
    const declared = [{ id: "keys", type: "ARRAY" as const, itemType: "SECRET" as const }];
    const sealed = await sealInputs(KEY, { tenantId: "t1", executionId: "ex1" }, declared, {
      keys: ["k-one", "k-two"],
    });
    expect(sealed?.inputs).toEqual({ keys: "******" });
    const masker = new SecretMasker();
    const vars = await withSecretInputs(KEY, execution("ex1", sealed?.sealed), { inputs: sealed?.inputs }, masker);
    expect(vars.inputs).toEqual({ keys: ["k-one", "k-two"] });
    expect(masker.mask("k-one,k-two")).toBe("******,******");
  });

  it("seals inputs named as a parent's secrets though declared STRING, and seals them again for a replay", async () => {
    const declared = [{ id: "pw", type: "STRING" as const }];
    const first = await sealInputs(
      KEY,
      { tenantId: "t1", executionId: "ex1" },
      declared,
      { pw: "from-parent" },
      undefined,
      ["pw"],
    );
    expect(first?.inputs).toEqual({ pw: "******" });
    // The replay names nothing: what its original sealed stays sealed, under the replay's binding.
    const from = { executionId: "ex1", sealed: first?.sealed ?? {} };
    const again = await sealInputs(KEY, { tenantId: "t1", executionId: "ex2" }, declared, first?.inputs, from);
    const vars = await withSecretInputs(
      KEY,
      execution("ex2", again?.sealed),
      { inputs: again?.inputs },
      new SecretMasker(),
    );
    expect(vars.inputs).toEqual({ pw: "from-parent" });
  });

  it("leaves flows without SECRET inputs, and optional SECRET inputs not given, untouched", async () => {
    const where = { tenantId: "t1", executionId: "ex1" };
    expect(await sealInputs(KEY, where, [{ id: "a", type: "STRING" }], { a: "x" })).toBeUndefined();
    const none = await sealInputs(KEY, where, [{ id: "pw", type: "SECRET", required: false }], { pw: null });
    expect(none).toEqual({ inputs: { pw: null }, sealed: {} });
  });
});
