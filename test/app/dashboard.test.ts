// The dashboard in real Chromium against the Worker under `wrangler dev`: sign-in, the flow
// editor's live validation and save, Execute with a file, the live Gantt and logs, kill, resume
// with inputs, executions filters kept across navigation, and an API response's `url`. Each page
// is screenshotted (APP_SCREENSHOTS=dir keeps them) and checked with axe-core.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { axeViolations, screenshotDir, signedInPage, startWorld, type World } from "./harness";

let world: World;
let page: Page;

beforeAll(async () => {
  world = await startWorld();
  mkdirSync(screenshotDir, { recursive: true });
});
beforeEach((ctx) => {
  onTestFailed(async () => {
    await page
      ?.screenshot({ path: path.join(screenshotDir, `failed-${ctx.task.name.slice(0, 40)}.png`) })
      .catch(() => undefined);
  });
});
afterAll(async () => {
  await world?.stop();
});

async function check(name: string) {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: false });
  expect(await axeViolations(page), name).toEqual([]);
}

const GREETER = `id: greeter
namespace: demo.app

inputs:
  - id: name
    type: STRING
    defaults: world
  - id: count
    type: INT
    required: true
  - id: attachment
    type: FILE
  - id: mood
    type: SELECT
    values: [happy, calm]
    defaults: calm

tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "Hello {{ inputs.name }} x{{ inputs.count }}"
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT2S
  - id: done
    type: io.kestra.plugin.core.log.Log
    level: WARN
    message: "read {{ read(inputs.attachment) }}"
`;

const SLOW = `id: slow
namespace: demo.app
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT60S
`;

const TICKER = `id: ticker
namespace: demo.app
tasks:
  - id: first
    type: io.kestra.plugin.core.log.Log
    message: tick one
  - id: pause
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT6S
  - id: second
    type: io.kestra.plugin.core.log.Log
    message: tick two
`;

const APPROVAL = `id: approval
namespace: demo.app
tasks:
  - id: gate
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: approved
        type: BOOLEAN
        defaults: false
      - id: reason
        type: STRING
        required: true
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "approved={{ outputs.gate.onResume.approved }} because {{ outputs.gate.onResume.reason }}"
`;

async function saveFlow(source: string) {
  const res = await world.api("flows", {
    method: "POST",
    headers: { "Content-Type": "application/x-yaml" },
    body: source,
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function startExecution(flowId: string, body?: FormData): Promise<{ id: string; url: string }> {
  const res = await world.api(`executions/demo.app/${flowId}`, { method: "POST", body });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; url: string };
}

describe("dashboard", () => {
  it("refuses a wrong key with a clear message, then signs in with the right one", async () => {
    const context = await world.browser.newContext();
    const p = await context.newPage();
    await p.goto(`${world.base}/`);
    await p.waitForURL("**/login");
    await p.getByLabel("API key").fill(`pgr_${"A".repeat(43)}`);
    await p.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => p.getByRole("alert").textContent()).toMatch(/not valid/);
    expect(await p.evaluate(() => JSON.stringify(localStorage) + document.cookie)).not.toContain("pgr_");
    await context.close();

    page = await signedInPage(world);
    // The key is nowhere the page's scripts can read.
    expect(
      await page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie),
    ).not.toContain(world.key);
    await page.getByRole("heading", { name: "Save your first flow" }).waitFor();
    await check("flows-empty");
  });

  it("marks a flow error at its line as you type, then saves the fixed flow as a new revision", async () => {
    await page
      .getByRole("link", { name: /Open example/ })
      .first()
      .click();
    await page.waitForURL("**/flows/new?example=*");
    const editor = page.locator(".cm-content");
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press("Control+a");
    await page.keyboard.press("Delete");
    const broken = GREETER.replace("type: io.kestra.plugin.core.flow.Sleep", "type: io.kestra.plugin.core.flow.Nope");
    await editor.fill(broken);
    const errorLine = broken.split("\n").findIndex((l) => l.includes("flow.Nope")) + 1;
    const problems = page.getByRole("list", { name: "Validation errors" });
    await expect.poll(() => problems.textContent(), { timeout: 10_000 }).toContain(`Line ${errorLine}`);
    await page.locator(".cm-lintRange-error").first().waitFor();
    await check("flow-editor-error");
    // Saving anyway is refused by the server, with the same line.
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain(`line ${errorLine}`);

    await editor.fill(GREETER);
    await expect.poll(() => problems.count(), { timeout: 10_000 }).toBe(0);
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL("**/flows/demo.app/greeter");
    await page.getByText("Revision 1").waitFor();
    await check("flow-page");
  });

  it("executes with inputs including a file, opens the execution, and watches the Gantt turn green with live logs", async () => {
    await page.getByRole("link", { name: "Execute" }).last().click();
    await page.waitForURL("**/greeter/execute");
    await check("execute-form");
    // count is required: the server's 422 appears next to the field.
    await page.getByRole("button", { name: "Execute" }).click();
    await expect.poll(() => page.locator("#input-count-error").textContent()).toMatch(/required|count/i);
    await page.getByLabel(/^count/).fill("3");
    await page.getByLabel(/^name/).fill("Chromium");
    await page
      .locator("#input-attachment")
      .setInputFiles({ name: "note.txt", mimeType: "text/plain", buffer: Buffer.from("file body 42") });
    await page.getByRole("button", { name: "Add a label" }).click();
    await page.getByLabel("Label 1 key").fill("team");
    await page.getByLabel("Label 1 value").fill("qa");
    await page.getByRole("button", { name: "Execute" }).click();
    await page.waitForURL(/\/executions\/demo\.app\/greeter\/[^/?]+$/);
    // While it sleeps, the Gantt shows it running; then every row turns SUCCESS without a reload.
    await page.locator('.grow[data-task="wait"][data-state="RUNNING"]').waitFor({ timeout: 15_000 });
    await check("execution-gantt-running");
    await page.locator('.grow[data-task="done"][data-state="SUCCESS"]').waitFor({ timeout: 30_000 });
    await page.locator(".header").getByText("SUCCESS").waitFor();
    expect(await page.locator('.grow[data-state="SUCCESS"]').count()).toBe(3);
    await check("execution-gantt");
    await page.getByRole("link", { name: "Logs" }).click();
    await page.getByText("Hello Chromium x3").waitFor();
    await page.getByText("read file body 42").waitFor();
    await page.getByRole("button", { name: "Next ERROR/WARN" }).click();
    await page.locator(".line.current").getByText("read file body 42").waitFor();
    await check("execution-logs");
    await page.getByRole("link", { name: "Outputs" }).click();
    await check("execution-outputs");
  });

  it("shows logs arriving live while the execution runs", async () => {
    await saveFlow(TICKER);
    const ex = await startExecution("ticker");
    await page.goto(`${ex.url}?tab=logs`);
    await page.getByText("tick one").waitFor({ timeout: 15_000 });
    // The second line is written after the sleep: it arrives over the open stream, no reload.
    await page.evaluate(() => Object.assign(window, { samePage: true }));
    expect(await page.getByText("tick two").count()).toBe(0);
    await page.getByText("tick two").waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);
  });

  it("kills a running execution after confirmation", async () => {
    await saveFlow(SLOW);
    const ex = await startExecution("slow");
    await page.goto(ex.url);
    await page.locator('.grow[data-task="nap"][data-state="RUNNING"]').waitFor({ timeout: 15_000 });
    await page.getByRole("button", { name: "Kill" }).click();
    await page.getByRole("dialog").waitFor();
    await check("kill-dialog");
    await page.getByRole("dialog").getByRole("button", { name: "Kill" }).click();
    await page.locator(".header").getByText("KILLED").waitFor({ timeout: 20_000 });
  });

  it("resumes a paused execution with the Pause task's onResume inputs", async () => {
    await saveFlow(APPROVAL);
    const ex = await startExecution("approval");
    await page.goto(ex.url);
    await page.locator(".header").getByText("PAUSED").waitFor({ timeout: 15_000 });
    await page.getByRole("button", { name: "Resume" }).click();
    const dialog = page.getByRole("dialog", { name: "Resume gate" });
    await dialog.getByRole("checkbox", { name: /approved/ }).check();
    await dialog.getByRole("textbox", { name: /reason/ }).fill("looks good");
    await check("resume-dialog");
    await dialog.getByRole("button", { name: "Resume" }).click();
    await page.locator(".header").getByText("SUCCESS").waitFor({ timeout: 20_000 });
    await page.getByRole("link", { name: "Logs" }).click();
    await page.getByText("approved=true because looks good").waitFor();
  });

  it("filters executions by clicking a state badge, opens one, and keeps the filters on the way back", async () => {
    await page.goto(`${world.base}/ui/${world.tenant}/executions`);
    await page.getByRole("link", { name: "KILLED", exact: true }).first().click();
    await page.waitForURL(/state=KILLED/);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    await check("executions-filtered");
    await page.locator("tbody tr a").first().click();
    await page.waitForURL(/\/executions\/demo\.app\/slow\//);
    await page.goBack();
    await page.waitForURL(/state=KILLED/);
    expect(await page.getByRole("checkbox", { name: "KILLED" }).isChecked()).toBe(true);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
  });

  it("opens the execution page from the url an API response returns", async () => {
    const ex = await startExecution("approval");
    expect(ex.url).toBe(`${world.base}/ui/${world.tenant}/executions/demo.app/approval/${ex.id}`);
    await page.goto(ex.url);
    await page.getByRole("heading", { name: ex.id }).waitFor();
    await page.locator(".header").getByText("PAUSED").waitFor({ timeout: 15_000 });
  });

  it("ends the session server side on sign-out", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login");
    await page.goto(`${world.base}/ui/${world.tenant}/flows`);
    await page.waitForURL("**/login**");
  });
});
