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

export async function bigExecution({ api, peregrine, n, limit, timeoutMs }) {
  const id = `big${n}c${limit}`;
  const mib = (kib) => kib / 1024;
  await api.saveFlow(forEach(id, n, limit, "log"));
  await sleep(2000);
  const before = workerdRss(peregrine.child)[0]?.rssKiB ?? Number.NaN;
  const sentAt = Date.now();
  const run = await withRssPeak(peregrine.child, async () => {
    try {
      return await api.call("POST", `/executions/bench/${id}?wait=true`, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      return { error };
    }
  });
  const answeredAt = Date.now();
  const after = workerdRss(peregrine.child)[0]?.rssKiB ?? Number.NaN;
  let peakKiB = run.peakKiB;
  const memory = { beforeMiB: mib(before), peakMiB: mib(peakKiB), afterMiB: mib(after) };
  const notes = [];
  const r = run.result;
  if (r.error || r.status !== 200 || r.json?.state?.current !== "SUCCESS") {
    const why = r.error
      ? `no answer within ${timeoutMs / 1000} s (${r.error.name})`
      : `answered ${r.status} ${r.json?.state?.current ?? r.text?.slice(0, 200)}`;
    const progress = await progressOf(api, id);
    return {
      lines: [{ name: `big ${n} c=${limit}`, measured: `FAILED: ${why}`, failed: true }],
      notes: [`Big execution failed: ${why}. Progress seen afterwards: ${progress}.`],
      detail: { memory, why, progress },
    };
  }
  const t = engineTimes(r.json, sentAt, answeredAt);
  const executionId = r.json.id;
  const get = await api.ok("GET", `/executions/${executionId}`);
  const index = await indexCatchUp(api, executionId, n + 1, Date.parse(r.json.state.histories.at(-1).date));
  const paging = await withRssPeak(peregrine.child, () => pageAll(api, executionId));
  peakKiB = Math.max(peakKiB, paging.peakKiB);
  memory.peakMiB = mib(peakKiB);
  const pages = paging.result;
  const withinGoal = t.state === "SUCCESS" && memory.peakMiB < 128;
  notes.push(
    `Big execution (concurrencyLimit ${limit}, Log child): client wall ${r.ms.toFixed(0)} ms, engine ${t.engineMs} ms, ` +
      `request → CREATED ${t.submitToCreatedMs} ms, terminal → response ${t.endToAnswerMs} ms, response ${(r.bytes / 1e6).toFixed(1)} MB.`,
    `Memory: RSS of the whole local workerd process (all isolates, D1/R2 simulators, caches), not the DO heap — an upper ` +
      `bound: before ${memory.beforeMiB.toFixed(0)} MiB, peak ${memory.peakMiB.toFixed(0)} MiB, after ${memory.afterMiB.toFixed(0)} MiB ` +
      `(growth ${(memory.peakMiB - memory.beforeMiB).toFixed(0)} MiB).`,
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
    detail: { engine: t, memory, getMs: get.ms, getBytes: get.bytes, index, paging: pages },
  };
}

async function progressOf(api, flowId) {
  const s = await api.call("GET", `/executions/search?namespace=bench&flowId=${flowId}&size=1`);
  const ex = s.json?.results?.[0];
  if (!ex) return "no execution in the index";
  const g = await api
    .call("GET", `/executions/${ex.id}`, { signal: AbortSignal.timeout(60_000) })
    .catch((e) => ({ error: e }));
  if (g.error || g.status !== 200) return `index says ${ex.state?.current}; GET failed`;
  const runs = g.json.taskRunList ?? [];
  const byState = {};
  for (const run of runs) byState[run.state.current] = (byState[run.state.current] ?? 0) + 1;
  return `execution ${g.json.state.current}, ${runs.length} task runs ${JSON.stringify(byState)}, GET ${g.ms.toFixed(0)} ms`;
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
