// Topology in Chromium: a flow with a Dag, a Switch and `errors` drawn with every edge on the flow
// page; the drawing follows the draft as it is edited; on the execution page each node takes its
// task's state and clicking one opens its task run.
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotDir, signedInPage, startWorld, type World } from "./harness";
import { checkPage, saveFlow, startExecution } from "./pages";

let world: World;
let page: Page;

const FLOW = `id: shapes
namespace: demo.topo
tasks:
  - id: start
    type: io.kestra.plugin.core.log.Log
    message: go
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task:
          id: extract
          type: io.kestra.plugin.core.log.Log
          message: e
      - task:
          id: transform
          type: io.kestra.plugin.core.log.Log
          message: t
        dependsOn: [extract]
      - task:
          id: audit
          type: io.kestra.plugin.core.log.Log
          message: a
        dependsOn: [extract]
  - id: route
    type: io.kestra.plugin.core.flow.Switch
    value: "{{ 'fast' }}"
    cases:
      fast:
        - id: quick
          type: io.kestra.plugin.core.log.Log
          message: quick
      slow:
        - id: careful
          type: io.kestra.plugin.core.log.Log
          message: careful
errors:
  - id: alert
    type: io.kestra.plugin.core.log.Log
    message: failed
`;

const EXPECTED: [string, string][] = [
  ["root.start->start", "SEQUENTIAL"],
  ["start->dag", "SEQUENTIAL"],
  ["dag->extract", "PARALLEL"],
  ["extract->transform", "SEQUENTIAL"],
  ["extract->audit", "SEQUENTIAL"],
  ["transform->dag.end", "SEQUENTIAL"],
  ["audit->dag.end", "SEQUENTIAL"],
  ["dag.end->route", "SEQUENTIAL"],
  ["route->quick", "CHOICE"],
  ["route->careful", "CHOICE"],
  ["quick->route.end", "SEQUENTIAL"],
  ["careful->route.end", "SEQUENTIAL"],
  ["route.end->root.end", "SEQUENTIAL"],
  ["root.start->alert", "ERROR"],
  ["alert->root.end", "SEQUENTIAL"],
];

async function edges(): Promise<[string, string][]> {
  return page
    .locator("path.edge")
    .evaluateAll((els) => els.map((e) => [e.getAttribute("data-edge") ?? "", e.getAttribute("data-relation") ?? ""]));
}

beforeAll(async () => {
  world = await startWorld();
  mkdirSync(screenshotDir, { recursive: true });
  await saveFlow(world, FLOW);
  page = await signedInPage(world);
});
afterAll(async () => {
  await world?.stop();
});

describe("topology", () => {
  it("draws a flow with a Dag, a Switch and errors with every edge", async () => {
    await page.goto(`${world.base}/ui/${world.tenant}/flows/demo.topo/shapes`);
    await page.locator('g.node[data-task="careful"]').waitFor({ timeout: 15_000 });
    expect((await edges()).sort()).toEqual([...EXPECTED].sort());
    // Case values are written on their edges.
    await page.locator("text.edge-label", { hasText: "fast" }).waitFor();
    await page.locator("text.edge-label", { hasText: "slow" }).waitFor();
    await page.locator("g.node").first().scrollIntoViewIfNeeded();
    await checkPage(page, "topology-flow");
  });

  it("follows the draft in the editor", async () => {
    await page
      .locator(".cm-content")
      .fill(`${FLOW}finally:\n  - id: tidy\n    type: io.kestra.plugin.core.log.Log\n    message: bye\n`);
    await page.locator('g.node[data-task="tidy"]').waitFor({ timeout: 15_000 });
    expect(await edges()).toContainEqual(["root.start->tidy", "FINALLY"]);
  });

  it("colours each node by its task's state on the execution page, and a click opens its task run", async () => {
    const ex = await startExecution(world, "demo.topo", "shapes", { wait: true });
    expect(ex.state.current).toBe("SUCCESS");
    await page.goto(`${ex.url}?tab=topology`);
    await page.locator('g.node[data-task="quick"][data-state="SUCCESS"]').waitFor({ timeout: 15_000 });
    // The case not taken has no task run, so no state.
    expect(await page.locator('g.node[data-task="careful"]').getAttribute("data-state")).toBeNull();
    await page.getByRole("button", { name: /^transform/ }).click();
    await page.waitForURL(/taskRun=/);
    await page.getByRole("complementary", { name: "Task run transform" }).waitFor();
    await checkPage(page, "topology-execution");
  });
});
