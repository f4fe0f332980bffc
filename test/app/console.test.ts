// The expression console on the execution page in Chromium: an expression that works, rendered in
// the chosen task run's context (a loop iteration's value), one that fails with its error and the
// failing expression marked at its line and column, and a secret that comes back masked.
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotDir, signedInPage, startWorld, type World } from "./harness";
import { checkPage, saveFlow, startExecution } from "./pages";

let world: World;
let page: Page;
let url = "";

const FLOW = `id: greet
namespace: demo.console
inputs:
  - id: who
    type: STRING
    defaults: Ada
tasks:
  - id: hello
    type: io.kestra.plugin.core.debug.Return
    format: "Hello {{ inputs.who }}"
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["red", "green"]
    tasks:
      - id: shout
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value | upper }}"
`;

beforeAll(async () => {
  world = await startWorld();
  mkdirSync(screenshotDir, { recursive: true });
  await saveFlow(world, FLOW);
  const put = await world.api("namespaces/demo.console/secrets/API_TOKEN", { method: "PUT", body: "tok-123456" });
  expect(put.status).toBe(204);
  const ex = await startExecution(world, "demo.console", "greet", { wait: true });
  expect(ex.state.current).toBe("SUCCESS");
  url = ex.url;
  page = await signedInPage(world);
});
afterAll(async () => {
  await world?.stop();
});

describe("expression console", () => {
  it("evaluates an expression that works against the chosen task run", async () => {
    await page.goto(`${url}?tab=console`);
    const context = page.getByLabel("Task run context");
    await context.selectOption({ label: "hello · SUCCESS" });
    await page.waitForURL(/taskRun=/);
    await page
      .getByRole("textbox", { name: "Expression" })
      .fill("{{ outputs.hello.value }} has {{ inputs.who | length }} letters");
    await page.getByRole("button", { name: "Evaluate" }).click();
    await expect.poll(() => page.getByTestId("eval-result").textContent()).toBe("Hello Ada has 3 letters");

    // In a loop iteration, taskrun.value is that iteration's.
    await context.selectOption({ label: "shout [green] · SUCCESS" });
    await page
      .getByRole("textbox", { name: "Expression" })
      .fill("{{ taskrun.value }}/{{ outputs.shout[taskrun.value].value }}");
    await page.getByRole("textbox", { name: "Expression" }).press("Control+Enter");
    await expect.poll(() => page.getByTestId("eval-result").textContent()).toBe("green/GREEN");
    await checkPage(page, "console-result");
  });

  it("shows the error of an expression that fails, with its line and column marked", async () => {
    await page
      .getByRole("textbox", { name: "Expression" })
      .fill("fine {{ inputs.who }}\nbroken {{ outputs.missing.value }}");
    await page.getByRole("button", { name: "Evaluate" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "Error" });
    await expect.poll(() => alert.textContent()).toMatch(/^Error at line 2, column 8: [\s\S]*missing/);
    expect(await page.locator("mark").textContent()).toBe("{{ outputs.missing.value }}");
    await checkPage(page, "console-error");
  });

  it("masks a secret's value", async () => {
    await page.getByRole("textbox", { name: "Expression" }).fill("token={{ secret('API_TOKEN') }}");
    await page.getByRole("button", { name: "Evaluate" }).click();
    await expect.poll(() => page.getByTestId("eval-result").textContent()).toMatch(/^token=\*+$/);
    expect(await page.content()).not.toContain("tok-123456");
  });
});
