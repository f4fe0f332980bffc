// The `peregrine` CLI as a user runs it (the package's bin, a child process) against a Worker under
// wrangler dev: login's 0600 config file, flows validate/apply/list/get, executions start with
// inputs (a file among them), --wait and --follow, list/get/kill, logs, taskruns search sorted by
// duration and get by id or by task and loop value, and the exit codes and error lines.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root, startServer, type WorkerServer } from "./server";

const P = "io.kestra.plugin.core";
const bin = path.join(root, "client", "bin", "peregrine.mjs");

let server: WorkerServer;
let dir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with the server's settings in the environment (unless `env` replaces them). */
function cli(
  args: string[],
  options: { env?: Record<string, string>; stdin?: string; cwd?: string } = {},
): Promise<Run> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    NO_COLOR: "1",
    PEREGRINE_CONFIG: path.join(dir, "none.json"),
    ...(options.env ?? { PEREGRINE_URL: server.base, PEREGRINE_TENANT: server.tenant, PEREGRINE_API_KEY: server.key }),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? dir,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}

const json = <T>(run: Run): T => JSON.parse(run.stdout) as T;

function file(name: string, text: string): string {
  const full = path.join(dir, name);
  writeFileSync(full, text);
  return full;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "peregrine-cli-"));
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const hello = `id: hello
namespace: cli.test
inputs:
  - id: who
    type: STRING
  - id: doc
    type: FILE
tasks:
  - id: greet
    type: ${P}.log.Log
    message: "hello {{ inputs.who }}, {{ read(inputs.doc) }}"
  - id: each
    type: ${P}.flow.ForEach
    values: ["a", "b"]
    tasks:
      - id: up
        type: ${P}.debug.Return
        format: "{{ taskrun.value | upper }}"
`;

describe("peregrine CLI", () => {
  it("login saves URL, tenant and key to a 0600 file; later commands need nothing else", async () => {
    const config = path.join(dir, "conf", "peregrine.json");
    const login = await cli(["login", "--url", server.base, "--tenant", server.tenant], {
      env: { PEREGRINE_CONFIG: config },
      stdin: `${server.key}\n`,
    });
    expect(login.code, login.stderr).toBe(0);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    const shown = await cli(["config", "--json"], { env: { PEREGRINE_CONFIG: config } });
    const settings = json<{ tenant: string; apiKey: string; sources: Record<string, string> }>(shown);
    expect(settings).toMatchObject({ tenant: server.tenant, sources: { tenant: "file", apiKey: "file" } });
    expect(shown.stdout).not.toContain(server.key);
    const list = await cli(["flows", "list", "--json"], { env: { PEREGRINE_CONFIG: config } });
    expect(list.code, list.stderr).toBe(0);

    const wrong = await cli(["login", "--url", server.base, "--tenant", server.tenant], {
      env: { PEREGRINE_CONFIG: path.join(dir, "other.json"), PEREGRINE_API_KEY: `pgr_${"A".repeat(43)}` },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("code: unauthorized");
  });

  it("exits 2 with a clear line when no key is configured or an option is unknown", async () => {
    const none = await cli(["flows", "list"], { env: {} });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("PEREGRINE_API_KEY");
    const unknown = await cli(["flows", "list", "--bogus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--bogus");
  });

  it("validates and applies flows: violations as file:line:col and nothing saved, then the valid flow saved", async () => {
    const bad = file("bad.yaml", "id: broken\nnamespace: cli.test\ntasks:\n  - id: t\n    type: nope.Missing\n");
    const checked = await cli(["flows", "validate", bad]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(new RegExp(`${bad}:5:\\d+: tasks\\[0\\]\\.type: `));
    const good = file("hello.yaml", hello);
    const refused = await cli(["flows", "apply", good, bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("nothing was saved");
    const missing = await cli(["flows", "get", "cli.test", "hello"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("code: not_found");

    const applied = await cli(["flows", "apply", good]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("cli.test.hello revision 1");
    const listed = json<{ results: { id: string }[] }>(
      await cli(["flows", "list", "--namespace", "cli.test", "--json"]),
    );
    expect(listed.results.map((f) => f.id)).toEqual(["hello"]);
    expect((await cli(["flows", "get", "cli.test", "hello"])).stdout).toBe(hello);
  });

  it("starts with inputs (a file among them), waits, and inspects the execution, its logs and task runs", async () => {
    await cli(["flows", "apply", file("hello.yaml", hello)]);
    const doc = file("doc.txt", "from a file");
    const run = await cli([
      "executions",
      "start",
      "cli.test",
      "hello",
      "--input",
      "who=world",
      "--input",
      `doc=@${doc}`,
      "--label",
      "team=cli",
      "--wait",
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const ex = json<{ id: string; state: { current: string }; labels: { key: string; value: string }[] }>(run);
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.labels).toContainEqual({ key: "team", value: "cli" });

    const shown = await cli(["executions", "get", ex.id]);
    expect(shown.stdout).toMatch(/each\s+SUCCESS/);
    expect(shown.stdout).toMatch(/\n {2}up \[b\]\s+SUCCESS\s+1 /);
    const logged = await cli(["logs", ex.id]);
    expect(logged.stdout).toContain("hello world, from a file");

    const byValue = await cli(["taskruns", "get", ex.id, "up", "--value", "b", "--json"]);
    const view = json<{ id: string; outputs: { value: string }; final: boolean }>(byValue);
    expect(view).toMatchObject({ outputs: { value: "B" }, final: true });
    const byId = await cli(["taskruns", "get", view.id, "--execution", ex.id]);
    expect(byId.stdout).toMatch(/final\s+yes/);
    const ambiguous = await cli(["taskruns", "get", ex.id, "up"]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain("code: ambiguous");

    // The index lags the execution by a drain: wait (through the API) until it has all 4 task runs.
    for (let i = 0; i < 80; i++) {
      const page = (await (await server.api(`taskruns/search?executionId=${ex.id}`)).json()) as { total: number };
      if (page.total === 4) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const found = json<{ results: { taskId: string; state: { duration: string } }[]; total: number }>(
      await cli(["taskruns", "search", "--execution", ex.id, "--sort", "duration", "--json"]),
    );
    expect(found.total).toBe(4);
    const seconds = found.results.map((r) => Number(r.state.duration.replace(/^PT|S$/g, "")));
    expect(seconds).toEqual([...seconds].sort((a, b) => b - a));
    const listed = json<{ results: { id: string }[] }>(await cli(["executions", "list", "--flow", "hello", "--json"]));
    expect(listed.results.map((e) => e.id)).toContain(ex.id);
  });

  it("exits 3 when a waited execution fails, and follows an execution's logs to its end", async () => {
    const failing = `id: failing\nnamespace: cli.test\ntasks:\n  - id: said\n    type: ${P}.log.Log\n    message: about to fail\n  - id: boom\n    type: ${P}.execution.Fail\n`;
    await cli(["flows", "apply", file("failing.yaml", failing)]);
    const waited = await cli(["run", "cli.test", "failing", "--wait"]);
    expect(waited.code).toBe(3);
    expect(waited.stdout).toMatch(/boom\s+FAILED/);
    const followed = await cli(["run", "cli.test", "failing", "--follow"]);
    expect(followed.code).toBe(3);
    expect(followed.stdout).toContain("about to fail");
    expect(followed.stdout).toContain("[FAILED] boom");
    expect(followed.stderr).toMatch(/started \S+/);
  });

  it("names the API's code and field on failure, and kills a paused execution", async () => {
    const labelled = await cli(["run", "cli.test", "hello", "--label", "system.x=1", "--input", "who=a"]);
    expect(labelled.code).toBe(1);
    expect(labelled.stderr).toMatch(/code: invalid\s+field: labels\s+status: 422/);
    const asJson = await cli(["executions", "get", "nope", "--json"]);
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { status: 404, code: "not_found" } });

    const pause = `id: waits\nnamespace: cli.test\ntasks:\n  - id: hold\n    type: ${P}.flow.Pause\n`;
    await cli(["flows", "apply", file("waits.yaml", pause)]);
    const started = json<{ id: string }>(await cli(["run", "cli.test", "waits", "--json"]));
    let state = "";
    for (let i = 0; i < 40 && state !== "PAUSED"; i++) {
      state = json<{ state: { current: string } }>(await cli(["executions", "get", started.id, "--json"])).state
        .current;
      if (state !== "PAUSED") await new Promise((r) => setTimeout(r, 250));
    }
    expect(state).toBe("PAUSED");
    const killed = await cli(["executions", "kill", started.id]);
    expect(killed.code, killed.stderr).toBe(0);
    const again = await cli(["executions", "kill", started.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("code: conflict");
  });
});

describe("the README's CLI section", () => {
  it("runs every `npx peregrine` line of its example, each exiting 0", async () => {
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## CLI\n"), readme.indexOf("## OpenAPI and the API reference"));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const lines = block.split("\n").filter((l) => l.startsWith("npx peregrine "));
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) {
      const run = await cli(line.split(/\s+/).slice(2), { cwd: root });
      expect(run.code, `${line}\n${run.stderr}`).toBe(0);
    }
  });
});
