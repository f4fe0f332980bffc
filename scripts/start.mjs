// `npm start`: everything a fresh clone needs to run Peregrine locally, then `wrangler dev`.
// Builds the dashboard when app/build is missing, writes the local secrets on first start, applies
// the D1 migrations to the local database, makes sure tenant `main` exists and accepts the local
// API key (kept in .peregrine/dev-key, or PEREGRINE_DEV_API_KEY), prints how to use it, and fires
// the Worker's cron triggers on their schedule, which `wrangler dev` does not do by itself.
// The secrets go to .peregrine/dev.vars, handed to wrangler with --env-file, rather than to
// .dev.vars: the vitest plugin loads .dev.vars too, and ALLOW_PRIVATE_NETWORK=true must not leak
// into the tests. A .dev.vars of your own still wins (wrangler prefers it).
// Key format and hashing must match worker/auth/keys.ts.
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Cron } from "croner";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const stateDir = path.join(root, ".peregrine");
const keyFile = path.join(stateDir, "dev-key");
const devVarsFile = path.join(stateDir, "dev.vars");
const userDevVarsFile = path.join(root, ".dev.vars");
const wranglerBin = path.join(root, "node_modules", "wrangler", "bin", "wrangler.js");
const port = Number(process.env.PORT ?? 8787);
// wrangler dev's inspector defaults to 9229; set INSPECTOR_PORT when that one is taken.
const inspectorPort = process.env.INSPECTOR_PORT;
const host = "127.0.0.1";
const TENANT = "main";
const KEY_PATTERN = /^pgr_[A-Za-z0-9_-]{43}$/;

const log = (message) => console.log(`[peregrine] ${message}`);

function fail(message) {
  console.error(`[peregrine] ${message}`);
  process.exit(1);
}

/** Runs a command to completion with its output on the terminal; stops here if it fails. */
function run(command, args, what, extraEnv = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...extraEnv } });
  if (result.error) fail(`${what} could not start: ${result.error.message}`);
  if (result.status !== 0) fail(`${what} failed (exit ${result.status ?? result.signal})`);
}

/** Wrangler through the current Node, never prompting (CI=true makes its confirmations automatic). */
const wrangler = (args, what) => run(process.execPath, [wranglerBin, ...args], what, { CI: "true" });

function ensureDashboard() {
  if (existsSync(path.join(root, "app", "build", "index.html"))) return;
  log("building the dashboard (app/build is missing)…");
  run(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "build:app"], "npm run build:app");
}

/** The file wrangler dev will read its secrets from; writes ours on first start. */
function ensureDevVars() {
  if (existsSync(userDevVarsFile)) return userDevVarsFile;
  if (!existsSync(devVarsFile)) {
    const body = [
      "# Local secrets for `wrangler dev`, written by `npm start` on first run. Not committed.",
      `OPERATOR_SECRET="${randomBytes(32).toString("base64url")}"`,
      `SECRETS_KEY="${randomBytes(32).toString("base64")}"`,
      "# Lets http.Request tasks reach localhost and private addresses; never set in production.",
      'ALLOW_PRIVATE_NETWORK="true"',
      "",
    ].join("\n");
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(devVarsFile, body, { mode: 0o600 });
    log(`wrote ${path.relative(root, devVarsFile)} (random OPERATOR_SECRET and SECRETS_KEY)`);
  }
  return devVarsFile;
}

function localKey() {
  const fromEnv = process.env.PEREGRINE_DEV_API_KEY;
  if (fromEnv !== undefined) {
    if (!KEY_PATTERN.test(fromEnv)) {
      fail("PEREGRINE_DEV_API_KEY must look like pgr_ followed by 43 base64url characters (256 random bits)");
    }
    return { key: fromEnv, origin: "PEREGRINE_DEV_API_KEY" };
  }
  if (existsSync(keyFile)) {
    const stored = readFileSync(keyFile, "utf8").trim();
    if (KEY_PATTERN.test(stored)) return { key: stored, origin: ".peregrine/dev-key" };
    log(".peregrine/dev-key is not a valid key; making a new one");
  }
  const key = `pgr_${randomBytes(32).toString("base64url")}`;
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  return { key, origin: ".peregrine/dev-key (new)" };
}

const sqlText = (value) => `'${String(value).replaceAll("'", "''")}'`;

/** Tenant `main` and a live row for the local key (re-enabled if it was revoked); idempotent. */
function ensureTenantAndKey(key) {
  const prefix = key.slice(0, 12);
  const hash = createHash("sha256").update(key).digest("hex");
  const sql = [
    `INSERT OR IGNORE INTO tenants (id, name) VALUES (${sqlText(TENANT)}, ${sqlText(TENANT)});`,
    `INSERT INTO api_keys (id, tenant_id, name, prefix, hash) VALUES (${sqlText(`local-${prefix}`)}, ${sqlText(TENANT)},` +
      ` ${sqlText("Local development key")}, ${sqlText(prefix)}, ${sqlText(hash)})` +
      " ON CONFLICT(prefix) DO UPDATE SET tenant_id = excluded.tenant_id, hash = excluded.hash, revoked_at = NULL;",
    "",
  ].join("\n");
  mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, "bootstrap.sql");
  writeFileSync(file, sql, { mode: 0o600 });
  try {
    wrangler(["d1", "execute", "DB", "--local", "--file", file], `creating tenant '${TENANT}' and its key`);
  } finally {
    rmSync(file, { force: true });
  }
}

async function waitForHealth(child) {
  const url = `http://${host}:${port}/health`;
  while (child.exitCode === null && child.signalCode === null) {
    try {
      const res = await fetch(url);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

/** A one-time sign-in code for the dashboard (in the link's fragment, so it never reaches a server log). */
async function loginLink(key) {
  const base = `http://${host}:${port}`;
  try {
    const res = await fetch(`${base}/api/v1/${TENANT}/login-codes`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}` },
    });
    if (!res.ok) return `(could not mint a sign-in code: HTTP ${res.status}; paste the API key instead)`;
    const { code } = await res.json();
    return `${base}/login#code=${code}`;
  } catch (e) {
    return `(could not mint a sign-in code: ${e.message}; paste the API key instead)`;
  }
}

function banner(key, origin, varsFile, signIn, crons) {
  const base = `http://${host}:${port}`;
  const example = path.relative(process.cwd(), path.join(root, "schema", "examples", "hello-world.yaml"));
  const auth = `-H "Authorization: Bearer ${key}"`;
  const lines = [
    "",
    "Peregrine is running.",
    `  Dashboard   ${signIn}`,
    `              (signs you in once; afterwards open ${base}/ and paste the API key below)`,
    `  Health      ${base}/health`,
    `  API         ${base}/api/v1/${TENANT}/`,
    `  API docs    ${base}/api/v1/docs   (OpenAPI 3.1: ${base}/api/v1/openapi.json)`,
    `  API key     ${key}   (tenant '${TENANT}', from ${origin})`,
    `  Operator    the OPERATOR_SECRET in ${path.relative(process.cwd(), varsFile)}`,
    `  Cron        ${crons.length ? `${crons.join(", ")} (wrangler.toml), fired by npm start` : "none in wrangler.toml"}`,
    "",
    "Try it with an example flow (more in schema/examples/):",
    `  curl ${auth} -H "Content-Type: application/x-yaml" \\`,
    `       --data-binary @${example} ${base}/api/v1/${TENANT}/flows`,
    `  curl -X POST ${auth} "${base}/api/v1/${TENANT}/executions/dev/hello-world?wait=true"`,
    "Or with the CLI (see the README's CLI section):",
    `  PEREGRINE_URL=${base} PEREGRINE_TENANT=${TENANT} PEREGRINE_API_KEY=${key} npx peregrine executions list`,
    "",
    "Ctrl-C stops it.",
    "",
  ];
  console.log(lines.join("\n"));
}

/** The cron expressions of wrangler.toml's [triggers] (one line, `crons = ["…", …]`). */
function cronsOfWranglerToml() {
  const toml = readFileSync(path.join(root, "wrangler.toml"), "utf8");
  const list = toml.match(/^\s*crons\s*=\s*\[([^\]]*)\]/m)?.[1] ?? "";
  return [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

/**
 * `wrangler dev` serves the Worker but never fires its cron triggers, and Peregrine's minute cron
 * sweeps stalled executions and re-arms the trigger objects. wrangler dev answers
 * /cdn-cgi/local/scheduled by running the Worker's scheduled handler, so each cron is fired there
 * on its own schedule (UTC, as Cloudflare does). A failed tick is logged; the next one still runs.
 */
function fireCrons(crons) {
  for (const expression of crons) {
    let fired = false;
    new Cron(expression, { timezone: "UTC", catch: true }, async () => {
      // croner fires on the second the expression names; that second is the scheduled time.
      const time = Math.floor(Date.now() / 1000) * 1000;
      const query = `cron=${encodeURIComponent(expression)}&time=${time}&format=json`;
      try {
        const res = await fetch(`http://${host}:${port}/cdn-cgi/local/scheduled?${query}`);
        if (!res.ok) {
          log(`cron "${expression}": the scheduled handler answered ${res.status} ${await res.text()}`);
        } else if (!fired) {
          fired = true;
          log(`cron "${expression}": the scheduled handler ran; from now on only a failed tick is logged`);
        }
      } catch (error) {
        log(`cron "${expression}": could not reach wrangler dev (${error.message})`);
      }
    });
  }
}

async function main() {
  ensureDashboard();
  // Up to date after npm install; rebuilt here after a pull that changed a lazily loaded library.
  run(process.execPath, [path.join(root, "scripts", "lazy.mjs")], "scripts/lazy.mjs");
  const varsFile = ensureDevVars();
  log("applying D1 migrations to the local database…");
  wrangler(["d1", "migrations", "apply", "DB", "--local"], "wrangler d1 migrations apply");
  const { key, origin } = localKey();
  ensureTenantAndKey(key);

  log(`starting wrangler dev on ${host}:${port}…`);
  const envFileArgs = varsFile === devVarsFile ? ["--env-file", devVarsFile] : [];
  const inspectorArgs = inspectorPort ? ["--inspector-port", inspectorPort] : [];
  // The tenant-less webhook URL (Kestra 0.21's /api/v1/executions/webhook/…) serves tenant main locally.
  const args = [
    wranglerBin,
    "dev",
    "--ip",
    host,
    "--port",
    String(port),
    ...inspectorArgs,
    "--var",
    `DEFAULT_WEBHOOK_TENANT:${TENANT}`,
    ...envFileArgs,
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ["inherit", "inherit", "inherit"],
    // wrangler's local tracing writes a span store for every request and storage call, which
    // costs more CPU than running the execution; Peregrine's dashboard and logs show the runs.
    // X_LOCAL_OBSERVABILITY=true turns it back on.
    env: { X_LOCAL_OBSERVABILITY: "false", ...process.env },
  });

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    log("stopping…");
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    // If wrangler does not go within a few seconds, make sure it does.
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGHUP", () => stop("SIGTERM"));
  child.on("exit", (code, signal) => process.exit(stopping ? 0 : (code ?? (signal ? 1 : 0))));

  if (await waitForHealth(child)) {
    const crons = cronsOfWranglerToml();
    fireCrons(crons);
    banner(key, origin, varsFile, await loginLink(key), crons);
  }
}

await main();
