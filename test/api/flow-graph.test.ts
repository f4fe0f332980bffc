// The topology endpoints (Kestra's): GET flows/{namespace}/{id}/graph for a stored revision and
// POST flows/graph for a draft's YAML. A flow with a Dag, a Switch, an If, a Parallel, a ForEach
// and errors/finally/afterExecution branches yields every edge with its relation; a bad draft
// answers 422 with the line; an unknown flow 404.
import { describe, expect, it } from "vitest";
import type { FlowGraph } from "../../schema/flow/graph";
import { saveFlow } from "../helpers/executions";
import { createTenant } from "../helpers/tenant";

const TOPOLOGY = `id: topo
namespace: qa
tasks:
  - id: first
    type: io.kestra.plugin.core.log.Log
    message: hi
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task:
          id: a
          type: io.kestra.plugin.core.log.Log
          message: a
      - task:
          id: b
          type: io.kestra.plugin.core.log.Log
          message: b
        dependsOn: [a]
      - task:
          id: c
          type: io.kestra.plugin.core.log.Log
          message: c
        dependsOn: [a]
  - id: pick
    type: io.kestra.plugin.core.flow.Switch
    value: "{{ 'x' }}"
    cases:
      x:
        - id: onx
          type: io.kestra.plugin.core.log.Log
          message: x
      y:
        - id: ony
          type: io.kestra.plugin.core.log.Log
          message: y
    defaults:
      - id: other
        type: io.kestra.plugin.core.log.Log
        message: other
  - id: check
    type: io.kestra.plugin.core.flow.If
    condition: "{{ true }}"
    then:
      - id: yes
        type: io.kestra.plugin.core.log.Log
        message: yes
  - id: both
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: p1
        type: io.kestra.plugin.core.log.Log
        message: p1
      - id: p2
        type: io.kestra.plugin.core.log.Log
        message: p2
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [1, 2]
    tasks:
      - id: inner
        type: io.kestra.plugin.core.log.Log
        message: "{{ taskrun.value }}"
errors:
  - id: alert
    type: io.kestra.plugin.core.log.Log
    message: failed
finally:
  - id: cleanup
    type: io.kestra.plugin.core.log.Log
    message: done
afterExecution:
  - id: report
    type: io.kestra.plugin.core.log.Log
    message: after
`;

const edge = (g: FlowGraph, source: string, target: string) =>
  g.edges.find((e) => e.source === source && e.target === target);

describe("flow graph", () => {
  it("draws every edge of a flow with a Dag, a Switch, an If, a Parallel, a loop and its branches", async () => {
    const tenant = await createTenant();
    await saveFlow(tenant, TOPOLOGY);
    const res = await tenant.fetch("flows/qa/topo/graph");
    expect(res.status).toBe(200);
    const g = (await res.json()) as FlowGraph;
    const uids = new Set(g.nodes.map((n) => n.uid));
    for (const e of g.edges) expect(uids.has(e.source) && uids.has(e.target), JSON.stringify(e)).toBe(true);
    const ids = ["first", "dag", "a", "b", "c", "pick", "onx", "ony", "other", "check", "yes", "both", "p1", "p2"];
    for (const id of [...ids, "each", "inner", "alert", "cleanup", "report"]) expect(uids.has(id), id).toBe(true);

    expect(edge(g, "root.start", "first")?.relation).toBe("SEQUENTIAL");
    expect(edge(g, "first", "dag")?.relation).toBe("SEQUENTIAL");
    // Dag: a from the start, b and c after a, both to the Dag's end.
    expect(edge(g, "dag", "a")?.relation).toBe("PARALLEL");
    expect(edge(g, "a", "b")?.relation).toBe("SEQUENTIAL");
    expect(edge(g, "a", "c")?.relation).toBe("SEQUENTIAL");
    expect(edge(g, "b", "dag.end")).toBeDefined();
    expect(edge(g, "c", "dag.end")).toBeDefined();
    expect(edge(g, "a", "dag.end")).toBeUndefined();
    expect(edge(g, "dag.end", "pick")).toBeDefined();
    // Switch cases and defaults, If then and the missing else.
    expect(edge(g, "pick", "onx")).toMatchObject({ relation: "CHOICE", value: "x" });
    expect(edge(g, "pick", "ony")).toMatchObject({ relation: "CHOICE", value: "y" });
    expect(edge(g, "pick", "other")).toMatchObject({ relation: "CHOICE", value: "defaults" });
    expect(edge(g, "check", "yes")).toMatchObject({ relation: "CHOICE", value: "then" });
    expect(edge(g, "check", "check.end")).toMatchObject({ relation: "CHOICE", value: "else" });
    expect(edge(g, "both", "p1")?.relation).toBe("PARALLEL");
    expect(edge(g, "both", "p2")?.relation).toBe("PARALLEL");
    expect(edge(g, "each", "inner")?.relation).toBe("DYNAMIC");
    expect(edge(g, "each.end", "root.end")).toBeDefined();
    // The flow's branches.
    expect(edge(g, "root.start", "alert")?.relation).toBe("ERROR");
    expect(edge(g, "root.start", "cleanup")?.relation).toBe("FINALLY");
    expect(edge(g, "root.end", "report")?.relation).toBe("AFTER_EXECUTION");
    // Clusters nest: a Dag child sits in the Dag's cluster.
    expect(g.nodes.find((n) => n.uid === "b")?.cluster).toBe("dag");
    expect(g.clusters.map((c) => c.uid).sort()).toEqual(["both", "check", "dag", "each", "pick"]);
  });

  it("draws a draft from its YAML, and answers a broken draft with 422 and its line", async () => {
    const tenant = await createTenant();
    const res = await tenant.fetch("flows/graph", {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: "id: draft\nnamespace: qa\ntasks:\n  - id: one\n    type: io.kestra.plugin.core.log.Log\n    message: x\n",
    });
    expect(res.status).toBe(200);
    const g = (await res.json()) as FlowGraph;
    expect(edge(g, "root.start", "one")).toBeDefined();
    expect(edge(g, "one", "root.end")).toBeDefined();
    const bad = await tenant.fetch("flows/graph", {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: "id: draft\nnamespace: qa\ntasks:\n  - id: one\n    type: io.kestra.plugin.core.log.Nope\n",
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/line 5/i);
  });

  it("answers 404 for a flow that does not exist, and 422 for a bad revision", async () => {
    const tenant = await createTenant();
    expect((await tenant.fetch("flows/qa/nope/graph")).status).toBe(404);
    await saveFlow(tenant, TOPOLOGY);
    expect((await tenant.fetch("flows/qa/topo/graph?revision=zero")).status).toBe(422);
    expect((await tenant.fetch("flows/qa/topo/graph?revision=1")).status).toBe(200);
  });
});
