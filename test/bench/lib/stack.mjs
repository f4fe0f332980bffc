// The benchmark's own servers: a frozen snapshot of Peregrine (bundled once, so edits to worker/
// made while the benchmark runs cannot hot-reload it mid-measurement) and the baseline Worker in
// test/bench/baseline, each under its own `wrangler dev`, port and persistence directory in a
// temporary folder. Every child is started in its own process group and that group is ended on
// exit, error or Ctrl-C; nothing else is touched.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const wranglerBin = path.join(root, "node_modules", "wrangler", "bin", "wrangler.js");
const HOST = "127.0.0.1";
const children = new Set();
/**
 * wrangler's local tracing (a span store written for every request and storage call) is off, as
 * `npm start` has it: it costs more CPU than the executions it would trace.
 */
const WRANGLER_ENV = { CI: "true", WRANGLER_SEND_METRICS: "false", X_LOCAL_OBSERVABILITY: "false" };

/**
 * The stacks' state (every Durable Object's SQLite file, D1, R2) goes to a RAM-backed /dev/shm when
 * there is one: locally each new object is a new file, and on this VM's ext4 creating one cost a
 * varying 1–3 ms of kernel time (inode allocation, fsync), noise that measures the disk rather than
 * the engine, and in every column alike. BENCH_TMPDIR overrides the choice.
 */
export function stateFilesystem() {
  if (process.env.BENCH_TMPDIR) return process.env.BENCH_TMPDIR;
  try {
    accessSync("/dev/shm", constants.W_OK);
    return "/dev/shm";
  } catch {
    return os.tmpdir();
  }
}

export function makeTmp() {
  return mkdtempSync(path.join(stateFilesystem(), "peregrine-bench-"));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs wrangler to completion; its output goes to `logFile`, and the tail is shown on failure. */
function wranglerSync(args, logFile, what) {
  const result = spawnSync(process.execPath, [wranglerBin, ...args], {
    cwd: root,
    env: { ...process.env, ...WRANGLER_ENV },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  writeFileSync(logFile, `${result.stdout ?? ""}\n${result.stderr ?? ""}`, { flag: "a" });
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ""}${result.stderr ?? ""}`.split("\n").slice(-20).join("\n");
    throw new Error(`${what} failed (exit ${result.status ?? result.signal}):\n${tail}`);
  }
}

/**
 * The repo's wrangler.toml with its three paths pointed into the snapshot: the bundled Worker, the
 * assets (an empty folder, or the built dashboard when a row loads it) and the real migrations folder.
 */
function snapshotConfig(tmp, bundle, dashboard) {
  const source = readFileSync(path.join(root, "wrangler.toml"), "utf8");
  let assets = path.join(tmp, "assets");
  if (dashboard) {
    assets = path.join(root, "app", "build");
    if (!existsSync(path.join(assets, "index.html"))) {
      const built = spawnSync("npm", ["run", "--silent", "build:app"], { cwd: root, stdio: "ignore" });
      if (built.status !== 0) throw new Error("building the dashboard (npm run build:app) failed");
    }
  } else {
    mkdirSync(assets, { recursive: true });
    writeFileSync(path.join(assets, "index.html"), "<!doctype html><title>bench</title>\n");
  }
  const rewrites = [
    [/^main\s*=.*$/m, `main = ${JSON.stringify(bundle)}`],
    [/^directory\s*=.*$/m, `directory = ${JSON.stringify(assets)}`],
    [/^migrations_dir\s*=.*$/m, `migrations_dir = ${JSON.stringify(path.join(root, "schema", "migrations"))}`],
  ];
  let text = source;
  for (const [pattern, line] of rewrites) {
    if (!pattern.test(text))
      throw new Error(`wrangler.toml has no line matching ${pattern}; update test/bench/lib/stack.mjs`);
    text = text.replace(pattern, line);
  }
  const file = path.join(tmp, "wrangler.toml");
  writeFileSync(file, text);
  return file;
}

function startDev(config, port, persist, logFile, inspectorPort, extra = []) {
  const args = [wranglerBin, "dev", "-c", config, "--ip", HOST, "--port", String(port), "--persist-to", persist];
  args.push("--inspector-port", String(inspectorPort), "--show-interactive-dev-session=false", ...extra);
  const child = spawn(process.execPath, args, {
    cwd: root,
    detached: true, // own process group, so stop() ends wrangler and its workerd together
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...WRANGLER_ENV },
  });
  const append = (chunk) => writeFileSync(logFile, chunk, { flag: "a" });
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

async function waitUp(child, url, logFile, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-25).join("\n") : "";
  throw new Error(`server at ${url} did not come up:\n${tail}`);
}

/** `dashboard`: serve the built dashboard (app/build) for the rows that load it in Chromium. */
export async function startPeregrine(tmp, { dashboard = false } = {}) {
  const log = path.join(tmp, "peregrine.log");
  const bundleDir = path.join(tmp, "bundle");
  wranglerSync(["deploy", "--dry-run", "--outdir", bundleDir], log, "bundling the Worker (wrangler deploy --dry-run)");
  const config = snapshotConfig(tmp, path.join(bundleDir, "index.js"), dashboard);
  const operatorSecret = randomBytes(24).toString("base64url");
  // Secrets sit beside the generated config, so the developer's own .dev.vars is neither read nor touched.
  writeFileSync(
    path.join(tmp, ".dev.vars"),
    `OPERATOR_SECRET="${operatorSecret}"\nSECRETS_KEY="${randomBytes(32).toString("base64")}"\n`,
    { mode: 0o600 },
  );
  const persist = path.join(tmp, "state");
  wranglerSync(
    ["d1", "migrations", "apply", "DB", "--local", "-c", config, "--persist-to", persist],
    log,
    "D1 migrations",
  );
  const port = await freePort();
  // The big row reads the isolate's heap over the inspector; BENCH_INSPECTOR_PORT fixes the port
  // so that a profiler can attach as well.
  const inspectorPort = Number(process.env.BENCH_INSPECTOR_PORT) || (await freePort());
  const child = startDev(config, port, persist, log, inspectorPort);
  const base = `http://${HOST}:${port}`;
  await waitUp(child, `${base}/health`, log);
  const res = await fetch(`${base}/api/v1/operator/tenants`, {
    method: "POST",
    headers: { Authorization: `Bearer ${operatorSecret}`, "Content-Type": "application/json" },
    body: JSON.stringify({ id: "bench" }),
  });
  const body = await res.json().catch(() => null);
  if (res.status !== 201 || typeof body?.apiKey?.key !== "string") {
    throw new Error(`creating tenant 'bench' answered ${res.status}: ${JSON.stringify(body)}`);
  }
  // The bench measures the engine, not the tenant's start limits (launch/limits.ts): lifted.
  const limits = await fetch(`${base}/api/v1/bench/settings/limits`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${body.apiKey.key}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      creationRate: { burst: 1_000_000, perSecond: 100_000 },
      maxRunning: 1_000_000,
      maxChainDepth: 16,
    }),
  });
  if (limits.status !== 200) throw new Error(`lifting the bench tenant's limits answered ${limits.status}`);
  return { base, tenant: body.tenant.id, key: body.apiKey.key, child, log, inspectorPort };
}

export async function startBaseline(tmp) {
  const log = path.join(tmp, "baseline.log");
  const port = await freePort();
  // Run from a copy, so wrangler's .wrangler/ scratch folder lands in tmp and not in the repo.
  const dir = path.join(tmp, "baseline");
  cpSync(path.join(root, "test", "bench", "baseline"), dir, { recursive: true });
  const config = path.join(dir, "wrangler.toml");
  const child = startDev(config, port, path.join(tmp, "baseline-state"), log, await freePort());
  const base = `http://${HOST}:${port}`;
  await waitUp(child, `${base}/health`, log);
  return { base, child, log };
}

/** Resident memory of the workerd processes under one wrangler child (KiB), largest first. */
export function workerdRss(child) {
  const ps = spawnSync("ps", ["-eo", "pid=,ppid=,rss=,comm="], { encoding: "utf8" });
  const rows = ps.stdout
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, rss, comm]) => ({ pid: Number(pid), ppid: Number(ppid), rss: Number(rss), comm }));
  const tree = new Set([child.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of rows) {
      if (!tree.has(r.pid) && tree.has(r.ppid)) {
        tree.add(r.pid);
        grew = true;
      }
    }
  }
  return rows
    .filter((r) => tree.has(r.pid) && r.comm.startsWith("workerd"))
    .sort((a, b) => b.rss - a.rss)
    .map(({ pid, rss }) => ({ pid, rssKiB: rss }));
}

/** CPU time (user + system, ms) used so far by the workerd processes under one wrangler child. */
export function workerdCpuMs(child) {
  let ticks = 0;
  for (const { pid } of workerdRss(child)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // process gone or no procfs
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export async function stopAll(only) {
  const running = only ? [only] : [...children];
  for (const child of running) killGroup(child, "SIGTERM");
  const deadline = Date.now() + 5000;
  while (running.some((c) => children.has(c)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const child of running) killGroup(child, "SIGKILL");
}

/** Ends the servers on any exit path; the temporary folder is removed unless `keep`. */
export function installCleanup(tmp, keep) {
  const sync = () => {
    for (const child of [...children]) killGroup(child, "SIGKILL");
    if (!keep) rmSync(tmp, { recursive: true, force: true });
  };
  process.on("exit", sync);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      console.error(`\n[bench] ${signal}: stopping the servers`);
      sync();
      process.exit(130);
    });
  }
}
