// Rows 3 and 5: ForEach over 1,000 values (concurrencyLimit 0 and 1, a Return child) and the big
// execution, ForEach over 10,000 values with a Log child: completion, time, workerd memory, the
// size and time of GET, and paging its task runs through the D1 index.

import { engineTimes, sleep, stats } from "../lib/client.mjs";
import { forEach } from "../lib/flows.mjs";
import { workerdRss } from "../lib/stack.mjs";

export async function foreach1000({ api, n, perTaskMs }) {
  const lines = [];
  const notes = [];
  const detail = {};
  for (const limit of [0, 1]) {
    const id = `fe${n}c${limit}`;
    await api.saveFlow(forEach(id, n, limit, "return"));
    const r = await api.runAndWait("bench", id);
    const t = engineTimes(r.execution, r.sentAt, r.answeredAt);
    detail[`c${limit}`] = { ...t, wallMs: r.wallMs, bytes: r.bytes };
    if (t.state !== "SUCCESS" || t.taskRuns !== n + 1) {
      lines.push({
        name: `foreach${n} c=${limit}`,
        measured: `FAILED: ${t.state}, ${t.taskRuns} task runs`,
        failed: true,
      });
      continue;
    }
    const perChild = t.engineMs / n;
    lines.push({
      name: `foreach${n} c=${limit}`,
      measured: `engine dates, ${n} Return children; per child ${perChild.toFixed(2)} ms`,
      unit: "ms",
      ...stats([t.engineMs]),
      ratio: {
        label: "per child ÷ seq40 per task",
        value: perChild / perTaskMs,
        goal: "≤ 2",
        met: perChild / perTaskMs <= 2,
      },
    });
    notes.push(
      `c=${limit}: client wall ${r.wallMs.toFixed(0)} ms = request → CREATED ${t.submitToCreatedMs} ms + engine ` +
        `${t.executionMs} ms + terminal → response ${t.endToAnswerMs} ms (response ${(r.bytes / 1e6).toFixed(1)} MB).`,
    );
  }
  notes.push("One run per concurrency setting (each is a large execution); min = max = median.");
  return { lines, notes, detail };
}

/** Samples the workerd RSS every 500 ms while `work` runs; returns the peak (KiB). */
async function withRssPeak(child, work) {
  let peak = 0;
  const sample = () => {
    const [top] = workerdRss(child);
    if (top && top.rssKiB > peak) peak = top.rssKiB;
  };
  sample();
  const timer = setInterval(sample, 500);
  try {
    return { result: await work(), peakKiB: peak };
  } finally {
    clearInterval(timer);
    sample();
  }
}

/**
 * Starts the execution without waiting and samples it through GET (the Durable Object, not the
 * index) every `pollMs`: the samples show how fast children finish over time. Past `timeoutMs`
 * the execution is killed, so it does not load the rows after it, and the row records a failure.
 */
export async function bigExecution({ api, peregrine, n, limit, timeoutMs, pollMs }) {
  const id = `big${n}c${limit}`;
  const mib = (kib) => kib / 1024;
  const terminal = ["SUCCESS", "FAILED", "WARNING", "KILLED"];
  await api.saveFlow(forEach(id, n, limit, "log"));
  await sleep(2000);
  const before = workerdRss(peregrine.child)[0]?.rssKiB ?? Number.NaN;
  const sentAt = Date.now();
  const created = await api.ok("POST", `/executions/bench/${id}`);
  const executionId = created.json.id;
  const samples = [];
  const run = await withRssPeak(peregrine.child, async () => {
    const deadline = sentAt + timeoutMs;
    for (;;) {
      await sleep(pollMs);
      const g = await api
        .call("GET", `/executions/${executionId}`, { signal: AbortSignal.timeout(120_000) })
        .catch((e) => ({ status: 0, error: e }));
      if (g.status === 200) {
        const runs = g.json.taskRunList ?? [];
        const done = runs.filter((r) => terminal.includes(r.state.current)).length;
        samples.push({ atS: (Date.now() - sentAt) / 1000, done, state: g.json.state.current, getMs: g.ms });
        if (terminal.includes(g.json.state.current)) return g;
      }
      if (Date.now() > deadline) return null;
    }
  });
  const after = workerdRss(peregrine.child)[0]?.rssKiB ?? Number.NaN;
  let peakKiB = run.peakKiB;
  const memory = { beforeMiB: mib(before), peakMiB: mib(peakKiB), afterMiB: mib(after) };
  const every = Math.max(1, Math.ceil(samples.length / 12));
  const trace = samples
    .filter((_, i) => i % every === 0 || i === samples.length - 1)
    .map((x) => `${x.atS.toFixed(0)} s: ${x.done}`)
    .join(", ");
  const notes = [
    `Started without ?wait and sampled by GET every ${pollMs / 1000} s (each GET serialises the whole execution ` +
      `inside the DO, so sampling adds some load). Task runs finished by then: ${trace}.`,
    `Memory: RSS of the whole local workerd process (all isolates, D1/R2 simulators, caches), not the DO heap — an upper ` +
      `bound: before ${memory.beforeMiB.toFixed(0)} MiB, peak ${memory.peakMiB.toFixed(0)} MiB, after ${memory.afterMiB.toFixed(0)} MiB.`,
  ];
  const r = run.result;
  if (r?.json.state.current !== "SUCCESS") {
    const last = samples.at(-1);
    const why = r ? `ended ${r.json.state.current}` : `not terminal after ${timeoutMs / 1000} s`;
    if (!r) await api.call("DELETE", `/executions/${executionId}/kill`);
    const done = last ? `${last.done}/${n + 1} task runs done` : "no sample";
    return {
      lines: [
        {
          name: `big ${n} c=${limit}`,
          measured: `FAILED: ${why}; ${done}; RSS peak ${memory.peakMiB.toFixed(0)} MiB`,
          failed: true,
        },
      ],
      notes: [`Big execution ${why}${r ? "" : " (killed then, so the next rows run on a quiet server)"}.`, ...notes],
      detail: { memory, why, samples },
    };
  }
  const t = engineTimes(r.json, sentAt, Date.now());
  const get = await api.ok("GET", `/executions/${executionId}`);
  const index = await indexCatchUp(api, executionId, n + 1, Date.parse(r.json.state.histories.at(-1).date));
  const paging = await withRssPeak(peregrine.child, () => pageAll(api, executionId));
  peakKiB = Math.max(peakKiB, paging.peakKiB);
  memory.peakMiB = mib(peakKiB);
  const pages = paging.result;
  const withinGoal = t.state === "SUCCESS" && memory.peakMiB < 128;
  notes.push(
    `Big execution (concurrencyLimit ${limit}, Log child) completed: engine ${(t.engineMs / 1000).toFixed(1)} s ` +
      `(${(t.engineMs / n).toFixed(2)} ms per child), request → CREATED ${t.submitToCreatedMs} ms.`,
    `GET /executions/{id}: ${get.ms.toFixed(0)} ms, ${(get.bytes / 1e6).toFixed(1)} MB, ${get.json.taskRunList.length} task runs.`,
    `D1 index: task runs total reached ${index.total}/${n + 1} ${index.caughtUp ? `${(index.lagMs / 1000).toFixed(1)} s after the execution ended` : "NOT within the wait limit"}; ` +
      `paging size 100: ${pages.pages} pages, ${pages.unique} distinct task runs, total field ${pages.total}, ${pages.ms.toFixed(0)} ms` +
      ` (slowest page ${pages.slowestMs.toFixed(0)} ms).`,
  );
  return {
    lines: [
      {
        name: `big ${n} c=${limit}`,
        measured: `completes: ${t.state}; engine dates, ${t.taskRuns} task runs`,
        unit: "ms",
        ...stats([t.engineMs]),
        ratio: {
          label: "workerd RSS peak (MiB, upper bound)",
          value: memory.peakMiB,
          goal: "completes, < 128",
          met: withinGoal,
        },
      },
      { name: "  GET execution", measured: `${(get.bytes / 1e6).toFixed(1)} MB`, unit: "ms", ...stats([get.ms]) },
      {
        name: "  taskruns pages",
        measured: `size 100, ${pages.pages} pages, total ${pages.total} (want ${n + 1})`,
        unit: "ms",
        ...stats([pages.ms]),
        ratio: { label: "distinct task runs", value: pages.unique, goal: `= ${n + 1}`, met: pages.unique === n + 1 },
      },
    ],
    notes,
    detail: { engine: t, memory, samples, getMs: get.ms, getBytes: get.bytes, index, paging: pages },
  };
}

async function indexCatchUp(api, executionId, want, endedAt, limitMs = 120_000) {
  const deadline = Date.now() + limitMs;
  let total = 0;
  while (Date.now() < deadline) {
    const r = await api.ok("GET", `/taskruns/search?executionId=${executionId}&size=1`);
    total = r.json.total;
    if (total >= want) return { total, caughtUp: true, lagMs: Date.now() - endedAt };
    await sleep(250);
  }
  return { total, caughtUp: false, lagMs: Date.now() - endedAt };
}

async function pageAll(api, executionId) {
  const started = performance.now();
  const ids = new Set();
  let page = 1;
  let total = 0;
  let slowestMs = 0;
  for (; page <= 1000; page++) {
    const r = await api.ok("GET", `/taskruns/search?executionId=${executionId}&size=100&page=${page}`);
    slowestMs = Math.max(slowestMs, r.ms);
    total = r.json.total;
    for (const run of r.json.results) ids.add(run.id);
    if (r.json.results.length < 100) break;
  }
  return { pages: page, unique: ids.size, total, ms: performance.now() - started, slowestMs };
}
