// The SDK (client/) against the real Worker: every call goes through exports.default.fetch, so
// what is proven here is what a Node, browser or Worker caller gets.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { isPeregrineError, Peregrine, PeregrineError } from "../../client/src/index.ts";
import { bodyText } from "../helpers/body";
import { indexNow } from "../helpers/leaks";
import { BASE, createTenant, type TestTenant } from "../helpers/tenant";

const P = "io.kestra.plugin.core";

function sdk(tenant: TestTenant, apiKey: string | null = tenant.key): Peregrine {
  return new Peregrine({
    url: BASE,
    tenant: tenant.tenantId,
    apiKey: apiKey ?? undefined,
    fetch: (req) => exports.default.fetch(req),
  });
}

async function setup() {
  const tenant = await createTenant();
  return { tenant, p: sdk(tenant) };
}

const hello = (message = "hi") => `id: hello
namespace: qa.sdk
# a comment kept as sent
inputs:
  - id: who
    type: STRING
    defaults: world
tasks:
  - id: say
    type: ${P}.log.Log
    message: "${message} {{ inputs.who }}"
`;

async function rejection(promise: Promise<unknown>): Promise<PeregrineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof PeregrineError)) throw new Error(`expected a PeregrineError, got ${String(error)}`);
  return error;
}

describe("flows", () => {
  it("saves YAML as sent (create, then update on the second save), reads, lists, searches and deletes", async () => {
    const { p } = await setup();
    const created = await p.flows.save(hello());
    expect(created).toMatchObject({ id: "hello", namespace: "qa.sdk", revision: 1, source: hello() });
    const updated = await p.flows.save(hello("hey"));
    expect(updated.revision).toBe(2);
    expect((await p.flows.get("qa.sdk", "hello", { source: true })).source).toBe(hello("hey"));
    expect((await p.flows.get("qa.sdk", "hello", { revision: 1, source: true })).source).toBe(hello());
    expect((await p.flows.list("qa.sdk")).map((f) => f.id)).toEqual(["hello"]);
    expect(await p.flows.search({ namespace: "qa" })).toMatchObject({ total: 1, results: [{ id: "hello" }] });
    expect((await p.flows.revisions("qa.sdk", "hello")).map((f) => f.revision)).toEqual([1, 2]);
    await p.flows.delete("qa.sdk", "hello");
    expect((await p.flows.search({ namespace: "qa" })).total).toBe(0);
  });

  it("validates without saving, and an invalid save throws `invalid` with line and column", async () => {
    const { p } = await setup();
    const bad = "id: broken\nnamespace: qa\ntasks:\n  - id: x\n    type: no.such.Task\n";
    const [report] = await p.flows.validate(bad);
    expect(report).toMatchObject({ index: 0, flow: "broken", namespace: "qa" });
    expect(report?.violations?.[0]).toMatchObject({ path: "tasks[0].type", line: 5 });
    const error = await rejection(p.flows.save(bad));
    expect(error).toMatchObject({ status: 422, code: "invalid" });
    expect((error.details as { line: number; column: number }[])[0]).toMatchObject({ line: 5, column: 5 });
    expect((await p.flows.search()).total).toBe(0);
  });
});

describe("executions", () => {
  it("creates with inputs and labels, waits, reads back, and finds it by label in the search", async () => {
    const { tenant, p } = await setup();
    await p.flows.save(hello());
    const ex = await p.executions.create("qa.sdk", "hello", {
      inputs: { who: "sdk" },
      labels: { team: "data" },
      wait: true,
    });
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.labels).toContainEqual({ key: "team", value: "data" });
    expect((await p.executions.get(ex.id)).taskRunList.map((t) => t.taskId)).toEqual(["say"]);
    expect((await p.executions.logs(ex.id)).map((l) => l.message)).toContain("hi sdk");
    await indexNow(tenant, ex.id);
    const found = await p.executions.search({ labels: { team: "data" }, state: "SUCCESS" });
    expect(found.results.map((e) => e.id)).toEqual([ex.id]);
    expect((await p.executions.search({ labels: ["team:other"] })).total).toBe(0);
    const all: string[] = [];
    for await (const e of p.executions.list({ flowId: "hello", size: 1 })) all.push(e.id);
    expect(all).toEqual([ex.id]);
  });

  it("sends a Blob input as multipart and the flow reads the stored file", async () => {
    const { p } = await setup();
    await p.flows.save(`id: upload
namespace: qa
inputs:
  - id: doc
    type: FILE
  - id: n
    type: INT
tasks:
  - id: read
    type: ${P}.debug.Return
    format: "{{ read(inputs.doc) }} x{{ inputs.n }}"
`);
    const ex = await p.executions.create("qa", "upload", {
      inputs: { doc: new Blob(["file body"], { type: "text/plain" }), n: 3 },
      wait: true,
    });
    expect(ex.state.current).toBe("SUCCESS");
    expect(ex.taskRunList[0]?.outputs).toEqual({ value: "file body x3" });
    const uri = String(ex.inputs?.doc);
    expect(uri).toMatch(/^kestra:\/\//);
    expect(await bodyText(await p.executions.file(ex.id, uri))).toBe("file body");
  });

  it("follows an execution to its end over server-sent events, and follows its logs", async () => {
    const { p } = await setup();
    await p.flows.save(`id: gated
namespace: qa
tasks:
  - id: gate
    type: ${P}.flow.Pause
  - id: done
    type: ${P}.log.Log
    message: finished
`);
    const started = await p.executions.create("qa", "gated");
    const states: string[] = [];
    let last: string | undefined;
    // The stream stays open across the pause and the resume made while reading it.
    for await (const event of p.executions.follow(started.id)) {
      const state = event.execution.state.current;
      if (state === "PAUSED" && !states.includes("PAUSED")) await p.executions.resume(started.id);
      states.push(state);
      last = event.type;
    }
    expect(last).toBe("end");
    expect(states).toContain("PAUSED");
    expect(states.at(-1)).toBe("SUCCESS");
    const lines: string[] = [];
    for await (const line of p.executions.followLogs(started.id)) lines.push(line.message);
    expect(lines).toContain("finished");
    expect((await p.executions.waitForEnd(started.id)).state.current).toBe("SUCCESS");
  });

  it("kills, restarts, replays, resumes and forces a task run's state", async () => {
    const { p } = await setup();
    await p.flows.save(`id: ctl
namespace: qa
tasks:
  - id: gate
    type: ${P}.flow.Pause
  - id: boom
    type: ${P}.execution.Fail
    condition: "{{ true }}"
`);
    // wait=true would not end on PAUSED: follow until the Pause holds it.
    const paused = await p.executions.create("qa", "ctl");
    for await (const event of p.executions.follow(paused.id)) if (event.execution.state.current === "PAUSED") break;
    await p.executions.resume(paused.id);
    const failed = await p.executions.waitForEnd(paused.id, { timeoutMs: 10_000 });
    expect(failed.state.current).toBe("FAILED");
    const restarted = await p.executions.restart(failed.id);
    expect(restarted.id).toBe(failed.id);
    const again = await p.executions.waitForEnd(failed.id, { timeoutMs: 10_000 });
    const boom = again.taskRunList.find((t) => t.taskId === "boom")!;
    expect(boom.attempts.length).toBe(2);
    const forced = await p.executions.setTaskRunState(failed.id, boom.id, "SUCCESS");
    expect(forced.taskRunList.find((t) => t.id === boom.id)?.state.current).toBe("SUCCESS");
    const replayed = await p.executions.replay(failed.id);
    expect(replayed.id).not.toBe(failed.id);
    expect((await p.executions.get(replayed.id)).parentId).toBe(failed.id);
    await p.executions.kill(replayed.id);
    expect((await p.executions.waitForEnd(replayed.id, { timeoutMs: 10_000 })).state.current).toBe("KILLED");
    expect(await rejection(p.executions.kill(replayed.id))).toMatchObject({ status: 409, code: "conflict" });
  });
});

describe("typed errors", () => {
  it("throws PeregrineError with the API's status, code and message", async () => {
    const { tenant, p } = await setup();
    const missing = await rejection(p.executions.get("nope"));
    expect(missing).toMatchObject({ status: 404, code: "not_found", name: "PeregrineError" });
    expect(missing.message).toContain("nope");
    expect(missing.request).toBe(`GET ${BASE}/api/v1/${tenant.tenantId}/executions/nope`);
    expect(isPeregrineError(missing, "not_found")).toBe(true);
    expect(isPeregrineError(missing, "conflict")).toBe(false);
    const unauthorized = await rejection(sdk(tenant, "pgr_wrong").flows.search());
    expect(unauthorized).toMatchObject({ status: 401, code: "unauthorized" });
    const anonymous = await rejection(sdk(tenant, null).flows.search());
    expect(anonymous.status).toBe(401);
    await p.flows.save(hello());
    const bad = await rejection(p.executions.create("qa.sdk", "hello", { labels: ["system.x:1"] }));
    expect(bad).toMatchObject({ status: 422, code: "invalid", details: { field: "labels" } });
  });

  it("reports an unreachable server as network_error, without a status", async () => {
    const p = new Peregrine({
      url: BASE,
      tenant: "t",
      fetch: () => Promise.reject(new TypeError("connection refused")),
    });
    expect(await rejection(p.flows.search())).toMatchObject({ status: 0, code: "network_error" });
  });

  it("lets the caller authenticate through its own fetch and headers (the dashboard's session)", async () => {
    const tenant = await createTenant();
    const seen: string[] = [];
    const p = new Peregrine({
      url: BASE,
      tenant: tenant.tenantId,
      headers: { "X-CSRF-Token": "abc" },
      fetch: (req) => {
        seen.push(req.headers.get("X-CSRF-Token") ?? "");
        req.headers.set("Authorization", `Bearer ${tenant.key}`);
        return exports.default.fetch(req);
      },
    });
    expect((await p.flows.search()).total).toBe(0);
    expect(seen).toEqual(["abc"]);
  });
});
