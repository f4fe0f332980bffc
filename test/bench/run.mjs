// `npm run bench`: starts its own Peregrine (a bundled snapshot of the work tree) and the baseline
// Worker under `wrangler dev` on free loopback ports, runs the rows of issue 7, prints one table,
// writes test/bench/results.json and, for a full run, test/bench/RESULTS.md; always stops its
// servers. Never part of `npm test`.
//   --quick        fewer repetitions, smaller sizes, shorter load (a fast check; RESULTS.md untouched)
//   --only=a,b     run only these rows: seq40, seq10-long, foreach1000, webhook, big, taskruns-page
//                  (taskruns-page reads the big execution's task runs: run it with big)
//   --big-concurrency=N   concurrencyLimit of the big execution's ForEach (default 0)
//   --big-timeout=S       seconds the big execution gets before it counts as failed (default 300)
//   --keep         keep the temporary folder (server logs, local state) and print where it is
//   --record       write RESULTS.md even for a --quick or --only run
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { peregrineClient } from "./lib/client.mjs";
import { machine, textTable, writeJson, writeMarkdown } from "./lib/report.mjs";
import { installCleanup, makeTmp, root, startBaseline, startPeregrine, stopAll, workerdCpuMs } from "./lib/stack.mjs";
import { taskRunsPage } from "./rows/dashboard.mjs";
import { bigExecution, foreach1000 } from "./rows/foreach.mjs";
import { seq10long, seq40 } from "./rows/sequential.mjs";
import { webhookLoad } from "./rows/webhook.mjs";

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const quick = flag("quick");
const only = option("only")?.split(",");
const wants = (id) => !only || only.includes(id);

const plan = quick
  ? { reps: 3, feN: 200, rates: [25, 100], seconds: 3, bigN: 1000, bigTimeoutMs: 120_000 }
  : {
      reps: 5,
      feN: 1000,
      rates: [25, 50, 100, 200, 400],
      seconds: 10,
      bigN: 10_000,
      bigTimeoutMs: 300_000,
    };
const bigLimit = Number(option("big-concurrency") ?? 0);
if (option("big-timeout")) plan.bigTimeoutMs = Number(option("big-timeout")) * 1000;

const log = (m) => console.error(`[bench] ${m}`);

async function main() {
  const startedAt = new Date();
  const tmp = makeTmp();
  installCleanup(tmp, flag("keep"));
  const m = machine();
  log(`${quick ? "quick" : "full"} run in ${tmp}; ${m.nproc} cores, load ${m.loadavg}`);

  const needBaseline = wants("seq40") || wants("webhook");
  const baselineUp = needBaseline ? startBaseline(tmp) : Promise.resolve(null);
  baselineUp.catch(() => {}); // awaited below; avoids an unhandled rejection while Peregrine starts
  log("bundling Peregrine, applying migrations, starting wrangler dev…");
  const peregrine = await startPeregrine(tmp, { dashboard: wants("taskruns-page") });
  const baseline = await baselineUp;
  log(`Peregrine at ${peregrine.base}${baseline ? `, baseline at ${baseline.base}` : ""}`);
  const api = peregrineClient(peregrine);

  const rows = [];
  const failures = [];
  let perTaskMs = Number.NaN;
  const attempt = async (id, fn) => {
    if (!wants(id)) return;
    log(`row ${id}…`);
    const t0 = performance.now();
    const cpu0 = workerdCpuMs(peregrine.child);
    try {
      const row = await fn();
      const cpuS = (workerdCpuMs(peregrine.child) - cpu0) / 1000;
      const wallS = (performance.now() - t0) / 1000;
      row.notes.push(
        `Peregrine's workerd used ${cpuS.toFixed(1)} s of CPU during this row (${wallS.toFixed(1)} s wall, setup and checks included).`,
      );
      rows.push({ id, ...row, cpuS, wallS });
      log(`row ${id} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push({ id, error: message });
      rows.push({ id, lines: [{ name: id, measured: `FAILED: ${message.slice(0, 120)}`, failed: true }], notes: [] });
      log(`row ${id} FAILED: ${message}`);
    }
  };

  await attempt("seq40", async () => {
    const row = await seq40({ api, baseline, reps: plan.reps });
    perTaskMs = row.perTaskMs;
    return row;
  });
  await attempt("seq10-long", () => seq10long({ api, reps: plan.reps }));
  await attempt("foreach1000", () => foreach1000({ api, n: plan.feN, perTaskMs }));
  // The load row ends once every execution it started is terminal in the index, so the big
  // execution after it starts on a quiet server; the big one goes last because a timed-out run
  // would keep the server busy.
  await attempt("webhook", () =>
    webhookLoad({
      api,
      baseline,
      rates: plan.rates,
      seconds: plan.seconds,
      cpuMs: () => workerdCpuMs(peregrine.child),
    }),
  );
  if (baseline) await stopAll(baseline.child); // the baseline's workerd would only add noise from here on
  await attempt("big", () =>
    bigExecution({ api, peregrine, n: plan.bigN, limit: bigLimit, timeoutMs: plan.bigTimeoutMs }),
  );
  if (wants("big")) {
    await attempt("taskruns-page", () =>
      taskRunsPage({ peregrine, flowId: `big${plan.bigN}c${bigLimit}`, reps: quick ? 3 : 6 }),
    );
  }
  await stopAll();

  const durationS = (Date.now() - startedAt.getTime()) / 1000;
  const table = textTable(rows);
  console.log(table);
  for (const row of rows) for (const note of row.notes) console.log(`- ${row.id}: ${note}`);
  const mode = quick ? "quick" : only ? `partial (${only.join(",")})` : "full";
  const here = path.join(root, "test", "bench");
  writeJson(path.join(here, "results.json"), {
    startedAt: startedAt.toISOString(),
    durationS,
    mode,
    plan,
    bigConcurrencyLimit: bigLimit,
    machine: m,
    rows,
    failures,
  });
  if ((!quick && !only) || flag("record")) {
    writeMarkdown(path.join(here, "RESULTS.md"), {
      startedAt: startedAt.toISOString(),
      durationS,
      mode,
      machine: m,
      loadEnd: os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" "),
      rows,
      failures,
    });
    log("wrote test/bench/RESULTS.md");
  }
  log(`done in ${durationS.toFixed(0)} s; results in test/bench/results.json${flag("keep") ? `; logs in ${tmp}` : ""}`);
  if (failures.length) process.exitCode = 1;
}

main().catch(async (error) => {
  console.error(`[bench] ${error instanceof Error ? error.stack : error}`);
  await stopAll();
  process.exit(1);
});
