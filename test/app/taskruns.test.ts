// The Task Runs page in Chromium: the task runs of many executions sorted by duration, the slowest
// opened on its execution's page with that task run selected in the Gantt (inside a loop too,
// where its group is opened for it), filters kept in the URL.
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotDir, signedInPage, startWorld, type World } from "./harness";
import { checkPage, saveFlow, startExecution, until } from "./pages";

let world: World;
let page: Page;

const NAPS = `id: naps
namespace: demo.runs
inputs:
  - id: d
    type: STRING
    defaults: PT0.1S
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "napping {{ inputs.d }}"
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: "{{ inputs.d }}"
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["PT0.05S", "PT0.9S", "PT0.1S", "PT0.06S", "PT0.07S"]
    tasks:
      - id: inner
        type: io.kestra.plugin.core.flow.Sleep
        duration: "{{ taskrun.value }}"
`;

const NAPS_PER_EXECUTION = ["PT0.2S", "PT1.4S", "PT0.4S", "PT0.1S"];
// hello, nap, each and five inner per execution.
const RUNS_PER_EXECUTION = 8;

beforeAll(async () => {
  world = await startWorld();
  mkdirSync(screenshotDir, { recursive: true });
  await saveFlow(world, NAPS);
  for (const d of NAPS_PER_EXECUTION) {
    const ex = await startExecution(world, "demo.runs", "naps", { inputs: { d }, labels: ["batch:one"], wait: true });
    expect(ex.state.current).toBe("SUCCESS");
  }
  // The index follows the executions by a drain: wait until every task run is there, ended.
  const expected = NAPS_PER_EXECUTION.length * RUNS_PER_EXECUTION;
  await until(
    async () => {
      const res = await world.api("taskruns/search?namespace=demo.runs&state=SUCCESS&size=1");
      return ((await res.json()) as { total: number }).total;
    },
    (n) => n === expected,
  );
  page = await signedInPage(world);
});
afterAll(async () => {
  await world?.stop();
});

const durations = () => page.locator("tbody tr td:nth-child(7)").allTextContents();
const seconds = (text: string) => (text.endsWith("ms") ? Number.parseFloat(text) / 1000 : Number.parseFloat(text));

describe("task runs page", () => {
  it("sorts the task runs of many executions by duration and opens the slowest on its execution's Gantt", async () => {
    await page.getByRole("link", { name: "Task runs" }).click();
    await page.waitForURL(/\/taskruns$/);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(32);
    await page.getByRole("link", { name: /^Duration/ }).click();
    await page.waitForURL(/sort=duration%3Adesc|sort=duration:desc/);
    await expect.poll(async () => (await page.locator("tbody tr").first().textContent()) ?? "").toMatch(/^\s*nap/);
    const shown = (await durations()).map(seconds);
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    await checkPage(page, "taskruns-by-duration");

    // Only the naps: the slowest is still the 1.4 s one, on top.
    await page.getByLabel("Task id").fill("nap");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(4);
    expect(page.url()).toContain("taskId=nap");
    const first = page.locator("tbody tr").first();
    expect(seconds((await first.locator("td").nth(6).textContent()) ?? "")).toBeGreaterThanOrEqual(1.4);
    await first.getByRole("link", { name: "nap", exact: true }).click();
    await page.waitForURL(/\/executions\/demo\.runs\/naps\/[^/?]+\?taskRun=/);
    await page.locator('.grow.selected[data-task="nap"]').waitFor();
    expect(await page.locator('.grow.selected[data-task="nap"] .dur').textContent()).toMatch(/^1\.4/);
    await checkPage(page, "taskruns-opened-execution");

    // Back: the filter and the sort are where they were.
    await page.goBack();
    await page.waitForURL(/taskId=nap/);
    expect(await page.getByLabel("Task id").inputValue()).toBe("nap");
    expect(page.url()).toMatch(/sort=duration/);
  });

  it("opens the slowest loop iteration with its group opened in the Gantt", async () => {
    await page.getByLabel("Task id").fill("inner");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(20);
    const first = page.locator("tbody tr").first();
    await expect.poll(() => first.textContent()).toContain("PT0.9S");
    await first.getByRole("link", { name: "inner", exact: true }).click();
    await page.waitForURL(/\?taskRun=/);
    const selected = page.locator('.grow.selected[data-task="inner"]');
    await selected.waitFor();
    expect(await selected.textContent()).toContain("PT0.9S");
    // Only its group is open: the other values stay collapsed.
    expect(await page.locator('.grow[data-task="inner"]').count()).toBe(1);
  });

  it("filters by state and execution label and keeps them across a reload", async () => {
    await page.goto(`${world.base}/ui/${world.tenant}/taskruns?labels=batch:one&state=SUCCESS&taskId=hello`);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(4);
    await page.goto(`${world.base}/ui/${world.tenant}/taskruns?labels=batch:two`);
    await page.getByText("No task run matches these filters.").waitFor();
    await page.reload();
    await page.getByText("No task run matches these filters.").waitFor();
    await checkPage(page, "taskruns-empty-filter");
  });
});
