// The namespaces page in Chromium: a KV value (typed, with a TTL), a secret and a namespace file
// added through the dashboard, then used by a flow; the secret never shown back; deletes.
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotDir, signedInPage, startWorld, type World } from "./harness";
import { checkPage, saveFlow, startExecution } from "./pages";

let world: World;
let page: Page;
const SECRET = "sup3r-s3cret-value";

const USER = `id: reader
namespace: demo.ns
tasks:
  - id: say
    type: io.kestra.plugin.core.log.Log
    message: "kv={{ kv('greeting') }} n={{ kv('limit') + 1 }} secret={{ secret('API_TOKEN') }} file={{ read('scripts/note.txt') }}"
`;

beforeAll(async () => {
  world = await startWorld();
  mkdirSync(screenshotDir, { recursive: true });
  page = await signedInPage(world);
});
afterAll(async () => {
  await world?.stop();
});

describe("namespaces page", () => {
  it("adds typed KV entries with a TTL", async () => {
    await page.getByRole("link", { name: "Namespaces" }).click();
    await page.getByLabel("Open a namespace").fill("demo.ns");
    await page.getByRole("button", { name: "Open" }).click();
    await page.waitForURL(/\/namespaces\/demo\.ns$/);
    for (const [key, type, value, ttl] of [
      ["greeting", "STRING", "hi there", "PT1H"],
      ["limit", "NUMBER", "41", ""],
    ] as const) {
      await page.getByRole("button", { name: "Add a KV entry" }).click();
      const dialog = page.getByRole("dialog", { name: "Add a KV entry" });
      await dialog.getByLabel("Key").fill(key);
      await dialog.getByLabel("Type").selectOption(type);
      await dialog.getByLabel("Value").fill(value);
      await dialog.getByLabel(/Expires after/).fill(ttl);
      await dialog.getByRole("button", { name: "Save" }).click();
      await page.locator(`tr[data-key="${key}"]`).waitFor();
    }
    expect(await page.locator('tr[data-key="limit"]').textContent()).toContain("NUMBER");
    expect(await page.locator('tr[data-key="greeting"] td').nth(4).textContent()).not.toBe("never");
    await page.getByRole("button", { name: "Show value of greeting" }).click();
    await page.locator('tr[data-key="greeting"] pre').getByText("hi there").waitFor();
    // A value that is not of its type is refused with the server's message.
    await page.getByRole("button", { name: "Add a KV entry" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a KV entry" });
    await dialog.getByLabel("Key").fill("broken");
    await dialog.getByLabel("Type").selectOption("NUMBER");
    await dialog.getByLabel("Value").fill("seven");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog
      .getByRole("alert")
      .getByText(/not a valid NUMBER/)
      .waitFor();
    await checkPage(page, "namespace-kv-error");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await checkPage(page, "namespace-kv");
  });

  it("adds a secret whose value is never shown back", async () => {
    await page.getByRole("link", { name: "Secrets" }).click();
    await page.getByRole("button", { name: "Add a secret" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a secret" });
    await dialog.getByLabel("Name").fill("API_TOKEN");
    await dialog.getByLabel("Value").fill(SECRET);
    await dialog.getByRole("button", { name: "Save" }).click();
    await page.locator('tr[data-key="API_TOKEN"]').waitFor();
    expect(await page.content()).not.toContain(SECRET);
    await checkPage(page, "namespace-secrets");
  });

  it("creates and edits a namespace file", async () => {
    await page.getByRole("link", { name: "Files" }).click();
    await page.getByRole("button", { name: "New file" }).click();
    const dialog = page.getByRole("dialog", { name: "New file" });
    await dialog.getByLabel(/Name/).fill("scripts/note.txt");
    await dialog.getByRole("button", { name: "Create" }).click();
    await page.waitForURL(/file=/);
    await page.getByLabel("Content of /scripts/note.txt").fill("file says hello");
    await page.getByRole("button", { name: "Save file" }).click();
    await page.getByText("Saved /scripts/note.txt.").waitFor();
    await page.getByRole("link", { name: "/", exact: true }).click();
    await page.getByRole("link", { name: "scripts/" }).waitFor();
    await checkPage(page, "namespace-files");
  });

  it("uses the KV values, the secret and the file from a flow", async () => {
    await saveFlow(world, USER);
    const ex = await startExecution(world, "demo.ns", "reader", { wait: true });
    expect(ex.state.current).toBe("SUCCESS");
    const logs = (await (await world.api(`logs/${ex.id}`)).json()) as { message: string }[];
    const line = logs.map((l) => l.message).find((m) => m.startsWith("kv="));
    expect(line).toMatch(/^kv=hi there n=42 secret=\*+ file=file says hello$/);
  });

  it("deletes a KV entry after confirmation", async () => {
    await page.goto(`${world.base}/ui/${world.tenant}/namespaces/demo.ns?tab=kv`);
    await page.getByRole("button", { name: "Delete greeting" }).click();
    await page.getByRole("dialog", { name: "Delete greeting?" }).getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => page.locator('tr[data-key="greeting"]').count()).toBe(0);
    expect((await world.api("namespaces/demo.ns/kv/greeting")).status).toBe(404);
  });
});
