// Shared steps of the dashboard's page tests: flows and executions through the API, and a page
// check (a screenshot to look at, and axe-core's serious and critical violations, which must be none).
import path from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { axeViolations, screenshotDir, type World } from "./harness";

export async function saveFlow(world: World, source: string): Promise<void> {
  const res = await world.api("flows", {
    method: "POST",
    headers: { "Content-Type": "application/x-yaml" },
    body: source,
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Starts an execution; with `wait`, answers once it has ended. */
export async function startExecution(
  world: World,
  namespace: string,
  flowId: string,
  options: { inputs?: Record<string, string>; labels?: string[]; wait?: boolean } = {},
): Promise<{ id: string; url: string; state: { current: string } }> {
  const query = new URLSearchParams();
  if (options.wait) query.set("wait", "true");
  for (const l of options.labels ?? []) query.append("labels", l);
  const form = new FormData();
  for (const [k, v] of Object.entries(options.inputs ?? {})) form.append(k, v);
  const res = await world.api(`executions/${namespace}/${flowId}?${query}`, { method: "POST", body: form });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { id: string; url: string; state: { current: string } };
}

export async function checkPage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: false });
  expect(await axeViolations(page), name).toEqual([]);
}

/** Asks again until `done` holds (outside a test, where expect.poll is not available). */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`gave up waiting; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Saves a new revision of an existing flow (PUT), as the editor does. */
export async function updateFlow(world: World, namespace: string, id: string, source: string): Promise<void> {
  const res = await world.api(`flows/${namespace}/${id}`, {
    method: "PUT",
    headers: { "Content-Type": "application/x-yaml" },
    body: source,
  });
  expect(res.status, await res.clone().text()).toBe(200);
}
