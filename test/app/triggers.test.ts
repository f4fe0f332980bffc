// The triggers page in Chromium: a schedule disabled here stays disabled when its flow is saved
// again; a backfill started here runs and its executions appear; a webhook's URL is copied and
// starts the flow.
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotDir, signedInPage, startWorld, type World } from "./harness";
import { checkPage, saveFlow, until, updateFlow } from "./pages";

let world: World;
let page: Page;

const nightly = (description: string) => `id: nightly
namespace: demo.triggers
description: ${description}
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "scheduled for {{ trigger.date }}"
triggers:
  - id: hourly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
`;

const HOOKED = `id: hooked
namespace: demo.triggers
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "called"
triggers:
  - id: incoming
    type: io.kestra.plugin.core.trigger.Webhook
    key: hook-key-1234567
`;

interface Item {
  triggerContext: { flowId: string; disabled: boolean; backfill: null | { progress: { finished: boolean } } };
}
const search = async (q: string) =>
  (await (await world.api(`triggers/search?size=100&q=${q}`)).json()) as { results: Item[] };
const executions = async (query: string) =>
  (await (await world.api(`executions/search?size=100&${query}`)).json()) as { total: number };

/** A datetime-local value in this machine's zone (the browser's too). */
function local(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

beforeAll(async () => {
  world = await startWorld();
  mkdirSync(screenshotDir, { recursive: true });
  await saveFlow(world, nightly("first"));
  await saveFlow(world, HOOKED);
  await until(
    () => search("demo"),
    (r) => r.results.length === 2,
  );
  page = await signedInPage(world);
});
afterAll(async () => {
  await world?.stop();
});

const row = (flowId: string) => page.locator(`tr[data-trigger^="demo.triggers.${flowId}."]`);

describe("triggers page", () => {
  it("disables a schedule, and it stays disabled when its flow is saved again", async () => {
    await page.getByRole("link", { name: "Triggers" }).click();
    await page.waitForURL(/\/triggers$/);
    await row("nightly").waitFor();
    expect(await row("nightly").textContent()).toContain("Enabled");
    await checkPage(page, "triggers");
    await row("nightly").getByRole("button", { name: "Disable nightly hourly" }).click();
    await expect.poll(() => row("nightly").locator(".pill").first().textContent()).toBe("Disabled");

    await updateFlow(world, "demo.triggers", "nightly", nightly("saved again"));
    expect((await (await world.api("flows/demo.triggers/nightly")).json()).revision).toBe(2);
    await page.reload();
    await row("nightly").waitFor();
    expect(await row("nightly").locator(".pill").first().textContent()).toBe("Disabled");
    const api = (await search("nightly")).results[0]!;
    expect(api.triggerContext.disabled).toBe(true);

    await row("nightly").getByRole("button", { name: "Enable nightly hourly" }).click();
    await expect.poll(() => row("nightly").locator(".pill").first().textContent()).toBe("Enabled");
  });

  it("runs a backfill and its executions appear", async () => {
    const now = new Date();
    const start = new Date(now.getTime() - 3 * 3600_000 - 30 * 60_000);
    await row("nightly").getByRole("button", { name: "Backfill…" }).click();
    const dialog = page.getByRole("dialog", { name: /Backfill nightly/ });
    await dialog.getByLabel("Start").fill(local(start));
    await dialog.getByLabel(/^Labels/).fill("reason:backfill-test");
    await checkPage(page, "triggers-backfill-dialog");
    await dialog.getByRole("button", { name: "Start backfill" }).click();
    // Its progress shows on the row and ends done, refreshed by the page itself.
    await expect
      .poll(() => row("nightly").locator(".pill.fill").textContent(), { timeout: 60_000 })
      .toMatch(/Backfill (\d+)\/\1 \(done\)/);
    const total = Number(/\/(\d+)/.exec((await row("nightly").locator(".pill.fill").textContent()) ?? "")?.[1]);
    expect(total).toBeGreaterThanOrEqual(3);
    await until(
      () => executions("labels=reason:backfill-test"),
      (r) => r.total === total,
    );
    await page.goto(`${world.base}/ui/${world.tenant}/executions?labels=reason:backfill-test`);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(total);
  });

  it("copies a webhook's URL, which starts the flow", async () => {
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: world.base });
    await page.goto(`${world.base}/ui/${world.tenant}/triggers?q=hooked`);
    await row("hooked").getByRole("button", { name: "Copy webhook URL" }).click();
    await row("hooked").getByRole("button", { name: "Copied" }).waitFor();
    const url = await page.evaluate(() => navigator.clipboard.readText());
    expect(url).toBe(`${world.base}/api/v1/${world.tenant}/executions/webhook/demo.triggers/hooked/hook-key-1234567`);
    const res = await fetch(url, { method: "POST" });
    expect(res.status).toBe(200);
    await until(
      () => executions("flowId=hooked"),
      (r) => r.total === 1,
    );
  });
});
