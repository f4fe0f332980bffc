// Secrets end to end: set through the API, never read back by any route, stored only encrypted,
// readable by secret() in this tenant's flows (with namespace inheritance) and masked in the
// logs, task outputs, flow outputs and errors that leave the run. (A transformed value, such as
// `| upper` below, is not masked, as in Kestra: the tests use that to prove which value was read.)
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ExecutionJson } from "../../worker/execution/json";
import { logsOf, runFlow, saveFlow } from "../helpers/executions";
import { everyD1Cell } from "../helpers/leaks";
import { createTenant, type TestTenant } from "../helpers/tenant";

const P = "io.kestra.plugin.core";
const put = (value: string): RequestInit => ({ method: "PUT", body: value });

async function putSecret(t: TestTenant, namespace: string, key: string, value: string): Promise<void> {
  const res = await t.fetch(`namespaces/${namespace}/secrets/${key}`, put(value));
  expect(res.status).toBe(204);
}

async function waitForIndexedLogs(executionId: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const row = await env.DB.prepare("SELECT count(*) AS n FROM logs WHERE execution_id = ?")
      .bind(executionId)
      .first<{ n: number }>();
    if ((row?.n ?? 0) > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`logs of ${executionId} never reached D1`);
}

const VALUE = "correct-horse-battery-staple-7731";
const ORG_VALUE = "org-wide-token-0f9e8d";

const secretFlow = `id: uses-secret
namespace: company.team
outputs:
  - id: leaked
    type: STRING
    value: "flow output {{ secret('DB_PASSWORD') }}"
tasks:
  - id: log
    type: ${P}.log.Log
    message: "pw={{ secret('DB_PASSWORD') }} upper={{ secret('DB_PASSWORD') | upper }} len={{ secret('DB_PASSWORD') | length }}"
  - id: out
    type: ${P}.output.OutputValues
    values:
      pw: "{{ secret('DB_PASSWORD') }}"
      inherited: "{{ secret('ORG_TOKEN') }}"
      inheritedUpper: "{{ secret('ORG_TOKEN') | upper }}"
`;

describe("secrets API", () => {
  it("sets with 204, lists keys only, has no route that returns a value, deletes with 204 then 404", async () => {
    const t = await createTenant();
    await putSecret(t, "company.team", "DB_PASSWORD", VALUE);
    await putSecret(t, "company.team", "API_KEY", "another-value-1234");
    const list = await t.fetch("namespaces/company.team/secrets");
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(JSON.parse(text)).toMatchObject({ total: 2, results: [{ key: "API_KEY" }, { key: "DB_PASSWORD" }] });
    expect(text).not.toContain(VALUE);
    for (const path of ["namespaces/company.team/secrets/DB_PASSWORD", "namespaces/company.team/kv/DB_PASSWORD"]) {
      const res = await t.fetch(path);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain(VALUE);
    }
    expect((await t.fetch("namespaces/company.team/secrets/DB_PASSWORD", { method: "DELETE" })).status).toBe(204);
    expect((await t.fetch("namespaces/company.team/secrets/DB_PASSWORD", { method: "DELETE" })).status).toBe(404);
    expect(await (await t.fetch("namespaces/company.team/secrets")).json()).toMatchObject({ total: 1 });
  });

  it("refuses an invalid key or namespace (422), an empty value (422) and an oversized one (413)", async () => {
    const t = await createTenant();
    expect((await t.fetch("namespaces/ns/secrets/bad%20key", put("x"))).status).toBe(422);
    expect((await t.fetch("namespaces/NS/secrets/K", put("x"))).status).toBe(422);
    expect((await t.fetch("namespaces/ns/secrets/K", put(""))).status).toBe(422);
    expect((await t.fetch("namespaces/ns/secrets/K", put("x".repeat(64 * 1024 + 1)))).status).toBe(413);
  });
});

describe("secret() in flows", () => {
  it("reveals the value (nearest namespace first) yet masks it in logs, outputs and every response", async () => {
    const t = await createTenant();
    await putSecret(t, "company.team", "DB_PASSWORD", VALUE);
    await putSecret(t, "company", "DB_PASSWORD", "parent-value-must-lose");
    await putSecret(t, "company", "ORG_TOKEN", ORG_VALUE);
    await saveFlow(t, secretFlow);
    const ex = await runFlow(t, "company.team", "uses-secret");
    expect(ex.state.current).toBe("SUCCESS");

    const logs = await logsOf(t, ex.id);
    expect(logs.map((l) => l.message)).toContain(`pw=****** upper=${VALUE.toUpperCase()} len=${VALUE.length}`);
    const out = ex.taskRunList.find((r) => r.taskId === "out")?.outputs as { values: Record<string, string> };
    expect(out.values).toEqual({ pw: "******", inherited: "******", inheritedUpper: ORG_VALUE.toUpperCase() });
    expect(ex.outputs).toEqual({ leaked: "flow output ******" });

    const responses = [
      JSON.stringify(ex),
      JSON.stringify(logs),
      await (await t.fetch(`executions/${ex.id}`)).text(),
      await (await t.fetch(`logs/${ex.id}`)).text(),
      await (await t.fetch(`taskruns/search?namespace=company.team`)).text(),
    ];
    for (const body of responses) {
      expect(body).not.toContain(VALUE);
      expect(body).not.toContain(ORG_VALUE);
    }

    await waitForIndexedLogs(ex.id);
    for (const [table, cells] of await everyD1Cell()) {
      expect(cells.includes(VALUE), `plaintext secret in D1 table ${table}`).toBe(false);
      expect(cells.includes(ORG_VALUE), `plaintext secret in D1 table ${table}`).toBe(false);
    }
    const sealed = await env.DB.prepare("SELECT ciphertext, iv FROM secrets WHERE tenant_id = ?")
      .bind(t.tenantId)
      .all();
    expect(sealed.results.length).toBe(3);
  });

  it("masks a secret in the error of a failed task", async () => {
    const t = await createTenant();
    await putSecret(t, "qa", "TOKEN", "leaky-token-value-42");
    await saveFlow(
      t,
      `id: fails\nnamespace: qa\ntasks:\n  - id: fail\n    type: ${P}.execution.Fail\n    errorMessage: "bad token {{ secret('TOKEN') }}"\n`,
    );
    const ex = await runFlow(t, "qa", "fails");
    expect(ex.state.current).toBe("FAILED");
    const logs = JSON.stringify(await logsOf(t, ex.id));
    expect(logs).toContain("bad token ******");
    expect(logs).not.toContain("leaky-token-value-42");
  });

  it("fails clearly on a missing secret, and a flow never reads another tenant's secret", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await putSecret(a, "company.team", "DB_PASSWORD", VALUE);
    await saveFlow(b, secretFlow);
    const ex: ExecutionJson = await runFlow(b, "company.team", "uses-secret");
    expect(ex.state.current).toBe("FAILED");
    const logs = JSON.stringify(await logsOf(b, ex.id));
    expect(logs).toContain("Cannot find secret for key 'DB_PASSWORD'");
    expect(logs).not.toContain(VALUE);
    // A's key cannot list B's secrets through B's path either.
    expect([401, 403, 404]).toContain((await a.fetch(`/api/v1/${b.tenantId}/namespaces/company.team/secrets`)).status);
  });
});
