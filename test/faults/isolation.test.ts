// Fault suite, isolation walk: every tenant route of the app's own route table (so a route added
// later is walked too), every method, called with tenant A's key on A's own paths but filled with
// tenant B's real ids (B's namespace, flow, execution, task run, trigger, KV key, namespace file,
// webhook key, API key id), then on B's paths. Nothing of B's comes back (B's marker strings appear
// in no body), no call succeeds on B's paths, and B's flow, execution, KV entry, file and key are
// exactly as before. Prints its figures.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/api/app";
import { getExecution, logsOf, runFlow, saveFlow } from "../helpers/executions";
import { indexNow } from "../helpers/leaks";
import { BASE, createTenant, type TestTenant } from "../helpers/tenant";

const MARKERS = [
  "b-flow-marker-7c1",
  "b-output-marker-93a",
  "b-log-marker-5e2",
  "b-kv-marker-4d8",
  "b-file-marker-2f6",
];

const B_FLOW = `id: same
namespace: shared
description: b-flow-marker-7c1
tasks:
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: b-output-marker-93a
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: b-log-marker-5e2
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: b-webhook-key-0001
`;

interface Walked {
  method: string;
  path: string;
  status: number;
}

function endpoints(): { method: string; path: string }[] {
  const seen = new Set<string>();
  for (const r of app.routes) {
    if (r.path.includes("*") || !r.path.startsWith("/api/v1/:tenant/")) continue;
    for (const method of r.method === "ALL" ? ["GET", "POST", "PUT", "DELETE"] : [r.method]) {
      seen.add(`${method} ${r.path}`);
    }
  }
  // Reads first, so that the writes' attempts come after every read of B's state.
  const order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
  return [...seen]
    .map((s) => {
      const [method = "GET", path = ""] = s.split(" ");
      return { method, path };
    })
    .sort((x, y) => order.indexOf(x.method) - order.indexOf(y.method));
}

async function bodyOf(res: Response): Promise<string> {
  return new TextDecoder().decode(await res.arrayBuffer());
}

describe("fault suite: isolation walk", () => {
  it("tenant A reaches nothing of tenant B's through any route, method or id form", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await saveFlow(b, B_FLOW);
    const ex = await runFlow(b, "shared", "same");
    expect(ex.state.current).toBe("SUCCESS");
    await indexNow(b, ex.id);
    const taskRunId = ex.taskRunList[0]!.id;
    const kv = await b.fetch("namespaces/shared/kv/bkey", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify("b-kv-marker-4d8"),
    });
    expect(kv.status).toBeLessThan(300);
    const form = new FormData();
    form.set("fileContent", new Blob(["b-file-marker-2f6"]), "b.txt");
    const file = await b.fetch("namespaces/shared/files?path=/b.txt", { method: "POST", body: form });
    expect(file.status).toBeLessThan(300);

    const values: Record<string, string> = {
      namespace: "shared",
      flowId: "same",
      id: ex.id,
      executionId: ex.id,
      taskRunId,
      taskId: "ret",
      triggerId: "hook",
      key: "bkey",
      metric: "duration",
    };
    const query = `?path=${encodeURIComponent("/b.txt")}&namespace=shared&flowId=same&executionId=${ex.id}`;
    const fill = (path: string, tenant: string) =>
      path.replace(":tenant", tenant).replace(/:([A-Za-z]+)/g, (_m, name: string) => {
        // A webhook's :key is B's webhook key; elsewhere :key is B's KV key, :id an execution or an API key.
        if (name === "key" && path.includes("/webhook/")) return "b-webhook-key-0001";
        if (name === "id" && path.includes("/api-keys/")) return b.keyId;
        return values[name] ?? `b-${name}`;
      });

    const walked: Walked[] = [];
    const call = async (caller: TestTenant, tenantInPath: string, method: string, path: string) => {
      const url = fill(path, tenantInPath);
      const res = await exports.default.fetch(`${BASE}${url}${query}`, {
        method,
        headers: { Authorization: `Bearer ${caller.key}`, "Content-Type": "application/json", "X-Peregrine-Csrf": "1" },
        body: method === "GET" || method === "HEAD" ? undefined : "{}",
      });
      const body = await bodyOf(res);
      for (const marker of MARKERS) {
        if (body.includes(marker)) throw new Error(`${method} ${url} (as A) answered ${res.status} with B's ${marker}`);
      }
      walked.push({ method, path: url, status: res.status });
      return res.status;
    };

    const routes = endpoints();
    // Control: the same walk's reads, by B on B's paths, do reach every marker, so the ids are right
    // and a leak would show.
    const seenByB = new Set<string>();
    for (const { path } of routes.filter((r) => r.method === "GET")) {
      const res = await exports.default.fetch(`${BASE}${fill(path, b.tenantId)}${query}`, {
        headers: { Authorization: `Bearer ${b.key}` },
      });
      const body = await bodyOf(res);
      for (const marker of MARKERS) if (body.includes(marker)) seenByB.add(marker);
    }
    expect([...seenByB].sort()).toEqual([...MARKERS].sort());
    for (const { method, path } of routes) await call(a, a.tenantId, method, path);
    for (const { method, path } of routes) {
      const status = await call(a, b.tenantId, method, path);
      // The webhook is public by design; B's webhook key on B's path may start B's flow, and is
      // the one route that is not A's key reaching B (anyone holding the webhook key may).
      if (!path.includes("/webhook/")) expect(status, `${method} ${path} on B's path`).toBeGreaterThanOrEqual(400);
    }

    // B's things are as they were.
    const again = await getExecution(b, ex.id);
    expect(again.state.current).toBe("SUCCESS");
    expect(again.labels).toEqual(ex.labels);
    expect((await logsOf(b, ex.id)).some((l) => l.message === "b-log-marker-5e2")).toBe(true);
    const flow = await b.fetch("flows/shared/same?source=true");
    expect(flow.status).toBe(200);
    expect(((await flow.json()) as { revision: number }).revision).toBe(1);
    expect(await bodyOf(await b.fetch("namespaces/shared/kv/bkey"))).toContain("b-kv-marker-4d8");
    expect(await bodyOf(await b.fetch("namespaces/shared/files?path=/b.txt"))).toBe("b-file-marker-2f6");
    expect((await b.fetch("flows/search")).status).toBe(200); // B's key still works
    // A's own namespace "shared" holds nothing of B's, whatever A did to it.
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM executions WHERE tenant_id = ? AND id = ?")
      .bind(a.tenantId, ex.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);

    const ok = walked.filter((w) => w.status < 300).length;
    console.log(
      `fault suite, isolation: ${routes.length} tenant routes × 2 (A's path with B's ids, B's path): ` +
        `${walked.length} requests, ${ok} answered 2xx on A's own data, 0 bodies with B's data, B unchanged`,
    );
  }, 120_000);
});
