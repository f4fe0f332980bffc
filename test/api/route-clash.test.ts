// Route pairs that read the same URL two ways. `POST /executions/{namespace}/{flowId}` starts a
// flow whatever its id, even when `{flowId}` is an action word (`/{executionId}/pause`) or the
// whole path is a literal route (`/restart/by-ids`). The pairs are taken from the app's own route
// table, so a route added later is audited too.
import { describe, expect, it } from "vitest";
import { app } from "../../worker/api/app";
import type { ExecutionJson } from "../../worker/execution/json";
import { saveFlow } from "../helpers/executions";
import { createTenant } from "../helpers/tenant";

const EXECUTIONS = "/api/v1/:tenant/executions/";

/** Every POST route under executions with exactly two segments, at least one of them literal. */
function twoSegmentPostRoutes(): string[][] {
  const seen = new Set<string>();
  for (const r of app.routes) {
    if (r.method !== "POST" || !r.path.startsWith(EXECUTIONS)) continue;
    const segments = r.path.slice(EXECUTIONS.length).split("/");
    if (segments.length !== 2 || segments.every((s) => s.startsWith(":"))) continue;
    seen.add(segments.join("/"));
  }
  return [...seen].map((s) => s.split("/"));
}

const flowYaml = (namespace: string, id: string) =>
  `id: ${id}\nnamespace: ${namespace}\ntasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;

describe("POST /executions/{namespace}/{flowId} against the action routes", () => {
  it("finds the action routes to audit in the route table", () => {
    const words = twoSegmentPostRoutes().map((s) => s.join("/"));
    for (const w of [":executionId/pause", ":executionId/resume", ":executionId/restart", ":executionId/replay"]) {
      expect(words).toContain(w);
    }
  });

  it("starts a flow whose id is any action word or literal route, and the action still works on an execution", async () => {
    const tenant = await createTenant();
    const pairs = twoSegmentPostRoutes().map(([a, b]) => [a!.startsWith(":") ? "clash" : a!, b!] as const);
    for (const [namespace, id] of pairs) await saveFlow(tenant, flowYaml(namespace, id));
    for (const [namespace, id] of pairs) {
      const res = await tenant.fetch(`executions/${namespace}/${id}`, { method: "POST" });
      expect(res.status, `POST executions/${namespace}/${id}`).toBe(200);
      const body = (await res.json()) as ExecutionJson;
      expect({ namespace: body.namespace, flowId: body.flowId }).toEqual({ namespace, flowId: id });
    }
  });

  it("still reads /{executionId}/{action} as the action when no such flow exists", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, flowYaml("clash", "ok"));
    const started = (await (
      await tenant.fetch("executions/clash/ok?wait=true", { method: "POST" })
    ).json()) as ExecutionJson;
    const restart = await tenant.fetch(`executions/${started.id}/restart`, { method: "POST" });
    // A successful execution has nothing to restart: the action answered, not a flow start.
    expect(restart.status).toBe(422);
    expect(((await restart.json()) as { message: string }).message).toBe("No task found to restart execution from!");
    const unknown = await tenant.fetch("executions/clash/pause", { method: "POST" });
    expect(unknown.status).toBe(404);
  });
});
