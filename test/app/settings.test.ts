// Settings in Chromium: an API key created with a name is shown once, works, and stops working when
// revoked; the execution page opens on the tab chosen here; the dark theme passes axe too.
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotDir, signedInPage, startWorld, type World } from "./harness";
import { checkPage, saveFlow, startExecution } from "./pages";

let world: World;
let page: Page;

beforeAll(async () => {
  world = await startWorld();
  mkdirSync(screenshotDir, { recursive: true });
  page = await signedInPage(world);
});
afterAll(async () => {
  await world?.stop();
});

const call = (key: string) =>
  fetch(`${world.base}/api/v1/${world.tenant}/flows/search`, { headers: { Authorization: `Bearer ${key}` } });

describe("settings", () => {
  it("creates an API key shown once, which works until it is revoked", async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    await page.waitForURL(/\/settings$/);
    await page.getByLabel("Name of the new key").fill("ci-deploy");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = (await page.getByTestId("new-key").textContent()) ?? "";
    expect(key).toMatch(/^pgr_/);
    await page.locator('tr[data-key="ci-deploy"]').waitFor();
    expect(await page.locator('tr[data-key="ci-deploy"]').textContent()).toContain("Active");
    await checkPage(page, "settings-new-key");
    expect((await call(key)).status).toBe(200);

    await page.getByRole("button", { name: "Done" }).click();
    expect(await page.content()).not.toContain(key);
    await page.reload();
    await page.locator('tr[data-key="ci-deploy"]').waitFor();
    expect(await page.content()).not.toContain(key);

    await page.getByRole("button", { name: "Revoke ci-deploy" }).click();
    await page.getByRole("dialog", { name: "Revoke ci-deploy?" }).getByRole("button", { name: "Revoke" }).click();
    await expect.poll(() => page.locator('tr[data-key="ci-deploy"]').textContent()).toContain("Revoked");
    expect((await call(key)).status).toBe(401);
  });

  it("opens the execution page on the tab chosen here", async () => {
    await saveFlow(
      world,
      "id: hi\nnamespace: demo.settings\ntasks:\n  - id: say\n    type: io.kestra.plugin.core.log.Log\n    message: hello from settings\n",
    );
    const ex = await startExecution(world, "demo.settings", "hi", { wait: true });
    await page.getByLabel("Execution page opens on").selectOption({ label: "Logs" });
    await page.goto(ex.url);
    await page.getByText("hello from settings").waitFor();
    expect(await page.getByRole("link", { name: "Logs" }).getAttribute("aria-current")).toBe("page");
  });

  it("switches to the dark theme, which passes axe as well", async () => {
    await page.goto(`${world.base}/ui/${world.tenant}/settings`);
    await page.getByLabel("Theme").selectOption("dark");
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await checkPage(page, "settings-dark");
    await page.goto(`${world.base}/ui/${world.tenant}/taskruns`);
    await page.locator("tbody tr").first().waitFor();
    await checkPage(page, "taskruns-dark");
  });
});
