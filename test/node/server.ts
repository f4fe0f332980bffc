// The Worker under `wrangler dev` for tests that run in Node (the dashboard in Chromium, the CLI,
// the OpenAPI validator): free ports, its own state directory with the migrations applied, and a
// tenant signed up through the operator endpoint. `stop()` ends the server and removes the state.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const wranglerBin = path.join(root, "node_modules", "wrangler", "bin", "wrangler.js");

export interface WorkerServer {
  base: string;
  tenant: string;
  key: string;
  operatorSecret: string;
  /** Calls the API with the tenant's key. */
  api(pathUnderTenant: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function wranglerSync(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [wranglerBin, ...args], { cwd: root, env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed: ${r.stderr || r.stdout}`);
}

async function waitForHealth(base: string, child: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${log()}`);
    // wrangler dev stays up when the Worker does not build: say so now, not at the hook's timeout.
    if (log().includes("Build failed")) throw new Error(`the Worker did not build: ${log()}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not come up: ${log()}`);
}

export async function startServer(): Promise<WorkerServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "peregrine-node-"));
  const operatorSecret = randomBytes(24).toString("base64url");
  const varsFile = path.join(dir, "vars.env");
  writeFileSync(
    varsFile,
    `OPERATOR_SECRET="${operatorSecret}"\nSECRETS_KEY="${randomBytes(32).toString("base64")}"\nALLOW_PRIVATE_NETWORK="true"\n`,
  );
  const env = { ...process.env, CI: "true", X_LOCAL_OBSERVABILITY: "false", WRANGLER_SEND_METRICS: "false" };
  const persist = path.join(dir, "state");
  wranglerSync(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], env);
  const [port, inspector] = [await freePort(), await freePort()];
  let output = "";
  const child = spawn(
    process.execPath,
    [
      wranglerBin,
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspector),
      "--persist-to",
      persist,
      "--env-file",
      varsFile,
      "--show-interactive-dev-session=false",
    ],
    { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  child.stdout?.on("data", (d) => (output = (output + d).slice(-20_000)));
  child.stderr?.on("data", (d) => (output = (output + d).slice(-20_000)));
  const base = `http://127.0.0.1:${port}`;
  const stopServer = () => {
    try {
      if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  try {
    await waitForHealth(base, child, () => output);
  } catch (e) {
    stopServer();
    throw e;
  }
  const tenant = `t${randomBytes(4).toString("hex")}`;
  const signup = await fetch(`${base}/api/v1/operator/tenants`, {
    method: "POST",
    headers: { Authorization: `Bearer ${operatorSecret}`, "Content-Type": "application/json" },
    body: JSON.stringify({ id: tenant }),
  });
  if (signup.status !== 201) throw new Error(`tenant signup: ${signup.status} ${await signup.text()}`);
  const key = ((await signup.json()) as { apiKey: { key: string } }).apiKey.key;
  return {
    base,
    tenant,
    key,
    operatorSecret,
    api(p, init = {}) {
      const headers = new Headers(init.headers);
      headers.set("Authorization", `Bearer ${key}`);
      return fetch(`${base}/api/v1/${tenant}/${p}`, { ...init, headers });
    },
    async stop() {
      stopServer();
      await new Promise((r) => setTimeout(r, 300));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
