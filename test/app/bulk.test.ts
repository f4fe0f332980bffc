// Bulk actions on the executions list in Chromium: kill every execution that matches a filter and
// read the per-execution report (the ended one refused, with why); label ticked rows.
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotDir, signedInPage, startWorld, type World } from "./harness";
import { checkPage, saveFlow, startExecution, until } from "./pages";

let world: World;
let page: Page;
const running: string[] = [];
let ended = "";

const SLOW = `id: slow
namespace: demo.bulk
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT120S
`;
const QUICK = `id: quick
namespace: demo.bulk
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: hi
`;

interface Summary {
  id: string;
  state: { current: string };
  labels: { key: string; value: string }[];
}
const search = async (query: string) =>
  (await (await world.api(`executions/search?size=100&${query}`)).json()) as { results: Summary[]; total: number };

beforeAll(async () => {
  world = await startWorld();
  mkdirSync(screenshotDir, { recursive: true });
  await saveFlow(world, SLOW);
  await saveFlow(world, QUICK);
  ended = (await startExecution(world, "demo.bulk", "quick", { wait: true })).id;
  for (let i = 0; i < 3; i++) running.push((await startExecution(world, "demo.bulk", "slow")).id);
  // The list reads the index, which follows the executions by a drain.
  await until(
    () => search("namespace=demo.bulk"),
    (r) => r.total === 4 && r.results.filter((e) => e.state.current === "RUNNING").length === 3,
  );
  page = await signedInPage(world);
});
afterAll(async () => {
  await world?.stop();
});

describe("bulk actions", () => {
  it("offers no 'all that match' without a filter", async () => {
    await page.goto(`${world.base}/ui/${world.tenant}/executions`);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(4);
    expect(await page.getByRole("button", { name: /Select all \d+ that match/ }).count()).toBe(0);
    await page.getByText("Set a filter to act on every matching execution.").waitFor();
    expect(await page.getByRole("button", { name: "Kill", exact: true }).isDisabled()).toBe(true);
  });

  it("kills every execution that matches a filter and reports each, the ended one refused with why", async () => {
    await page.getByLabel("Namespace").fill("demo.bulk");
    await page.waitForURL(/namespace=demo\.bulk/);
    await page.getByRole("button", { name: "Select all 4 that match the filter" }).click();
    await page.getByRole("button", { name: "Kill", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Kill all 4 executions that match the filter?" });
    await dialog.waitFor();
    await checkPage(page, "bulk-kill-dialog");
    await dialog.getByRole("button", { name: "Kill" }).click();
    const report = page.getByRole("status", { name: "Bulk action report" });
    await report.getByRole("heading", { name: "Kill: 3 done, 1 refused" }).waitFor({ timeout: 30_000 });
    const refusedRow = report.locator("tr", { hasText: ended });
    expect(await refusedRow.textContent()).toMatch(/Refused \(409\).*(ended|terminated|SUCCESS)/i);
    for (const id of running) expect(await report.locator("tr", { hasText: id }).textContent()).toContain("Done");
    await checkPage(page, "bulk-kill-report");
    await until(
      () => search("namespace=demo.bulk&state=KILLED"),
      (r) => r.total === 3,
    );
    expect((await search("namespace=demo.bulk&state=KILLED")).results.map((e) => e.id).sort()).toEqual(
      [...running].sort(),
    );
  });

  it("sets labels on the ticked rows", async () => {
    const [first, second] = running;
    await page.getByRole("checkbox", { name: `Select ${first}` }).check();
    await page.getByRole("checkbox", { name: `Select ${second}` }).check();
    await page.getByText("2 selected").waitFor();
    await page.getByRole("button", { name: "Set labels…" }).click();
    const dialog = page.getByRole("dialog", { name: "Set labels on 2 executions?" });
    await dialog.getByLabel(/Labels/).fill("incident:db-outage");
    await dialog.getByRole("button", { name: "Set" }).click();
    await page.getByRole("heading", { name: "Set labels on: 2 done, 0 refused" }).waitFor({ timeout: 20_000 });
    await until(
      () => search("labels=incident:db-outage"),
      (r) => r.total === 2,
    );
  });
});
