// `npm test`: the whole suite, one step after another, stopping at the first that fails.
// `npm test -- <vitest arguments>` (a file, a folder, `-t name`…) runs only those workerd tests,
// without lint or the dashboard build, so that one file takes seconds.
// A new kind of test (the dashboard in Chromium, the client workspace) is one more entry in `steps`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const bin = (name) => path.join(root, "node_modules", ".bin", process.platform === "win32" ? `${name}.cmd` : name);

/** Each step is a command run from the repository root with the terminal as its output. */
const dashboardBuild = { name: "dashboard build", command: npm, args: ["run", "--silent", "build:app"] };
const steps = [
  { name: "lint (biome, tsc)", command: npm, args: ["run", "--silent", "lint"] },
  dashboardBuild,
  { name: "worker tests (vitest in workerd)", command: bin("vitest"), args: ["run"] },
  {
    name: "CLI and OpenAPI against wrangler dev (test/node)",
    command: bin("vitest"),
    args: ["run", "--config", "test/node/vitest.config.ts"],
  },
  {
    name: "dashboard in Chromium (test/app)",
    command: bin("vitest"),
    args: ["run", "--config", "test/app/vitest.config.ts"],
  },
];

function run({ name, command, args }) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error) {
    console.error(`[test] ${name}: could not start (${result.error.message})`);
    process.exit(1);
  }
  if (result.status !== 0) {
    console.error(`[test] ${name}: failed (exit ${result.status ?? result.signal}) after ${seconds.toFixed(1)} s`);
    process.exit(result.status ?? 1);
  }
  console.log(`[test] ${name}: passed in ${seconds.toFixed(1)} s`);
}

const selection = process.argv.slice(2);
if (selection.length > 0) {
  // The worker imports the lazily loaded libraries from worker/lazy/ (built by npm install).
  run({ name: "lazy modules", command: process.execPath, args: [path.join(root, "scripts", "lazy.mjs")] });
  // The Worker serves the dashboard's files (test/api/routes.test.ts reads them): build it once.
  if (!existsSync(path.join(root, "app", "build", "index.html"))) run(dashboardBuild);
  run({ name: "vitest", command: bin("vitest"), args: ["run", ...selection] });
} else {
  for (const step of steps) run(step);
}
