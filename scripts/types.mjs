// Generates worker/env.d.ts with `wrangler types` when it is missing or stale, quietly otherwise.
// The file is not committed: it is ~16,000 lines, almost all of them workerd's runtime types for
// wrangler.toml's compatibility date and flags, generated from the workerd that the lockfile pins,
// plus the Env interface of wrangler.toml's bindings. npm install (prepare) and npm run lint call
// this, so tsc always sees the bindings and runtime of the checkout it runs in.
import { spawnSync } from "node:child_process";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const wranglerBin = path.join(root, "node_modules", "wrangler", "bin", "wrangler.js");
const args = [wranglerBin, "types", "worker/env.d.ts", "--env-interface", "Env", "--strict-vars=false"];

const wrangler = (extra) =>
  spawnSync(process.execPath, [...args, ...extra], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
  });

if (wrangler(["--check"]).status === 0) process.exit(0);
const generated = wrangler([]);
if (generated.status !== 0) {
  process.stderr.write(generated.stdout + generated.stderr);
  console.error("[types] wrangler types failed; worker/env.d.ts is missing or stale");
  process.exit(1);
}
console.log("[types] generated worker/env.d.ts (wrangler types: wrangler.toml's bindings and workerd's runtime types)");
