// Browser tests' world: the Worker under `wrangler dev` on free ports with its own state directory
// (migrations applied, a tenant signed up through the operator endpoint), and Debian's Chromium
// driven by playwright-core. Everything is torn down by `stop()`.
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { root, startServer, type WorkerServer } from "../node/server";

export { freePort } from "../node/server";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface World extends WorkerServer {
  browser: Browser;
}

export async function startWorld(): Promise<World> {
  const server = await startServer();
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
    });
  } catch (e) {
    await server.stop();
    throw e;
  }
  return {
    ...server,
    browser,
    async stop() {
      await browser.close().catch(() => undefined);
      await server.stop();
    },
  };
}

/** Signs a fresh browser context in through the sign-in page with the tenant's key. */
export async function signedInPage(world: World): Promise<Page> {
  const context = await world.browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await page.goto(`${world.base}/login`);
  await page.getByLabel("API key").fill(world.key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`**/ui/${world.tenant}/flows`);
  return page;
}

/** axe-core in the page: the serious and critical violations, as readable lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  const source = (await import("node:fs")).readFileSync(
    path.join(root, "node_modules", "axe-core", "axe.min.js"),
    "utf8",
  );
  await page.evaluate(source);
  const result = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<unknown> } }).axe;
    return axe.run(document, { resultTypes: ["violations"] });
  })) as { violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] };
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} at ${v.nodes
          .map((n) => n.target.join(" "))
          .slice(0, 3)
          .join(", ")}`,
    );
}

export const screenshotDir = process.env.APP_SCREENSHOTS ?? path.join(tmpdir(), "peregrine-screens");
