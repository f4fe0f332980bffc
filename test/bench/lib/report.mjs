// The benchmark's output: one plain-text table for stdout, results.json (gitignored) and
// RESULTS.md (committed: the latest full run, with the machine it ran on and the notes).
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { root, stateFilesystem } from "./stack.mjs";

const fmt = (v, digits = 1) => {
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return "–";
  if (Math.abs(v) >= 100) return v.toFixed(0);
  return v.toFixed(digits);
};

function ratioCells(line) {
  if (!line.ratio) return ["", "", ""];
  const r = line.ratio;
  const value = typeof r.value === "number" ? (Math.abs(r.value) < 1 ? r.value.toFixed(3) : fmt(r.value, 2)) : r.value;
  // A ratio without a goal is a comparison to read, not a target.
  if (r.goal === undefined) return [`${r.label} = ${value}`, "", ""];
  return [`${r.label} = ${value}`, r.goal, r.met ? "yes" : "NO"];
}

export function tableRows(rows) {
  const out = [];
  for (const row of rows) {
    for (const line of row.lines) {
      if (line.failed) {
        out.push([line.name, line.measured, "–", "–", "", "", "NO"]);
        continue;
      }
      const unit = line.unit ?? "";
      out.push([
        line.name,
        line.measured,
        `${fmt(line.median)} ${unit}`.trim(),
        `${fmt(line.min)}–${fmt(line.max)}`,
        ...ratioCells(line),
      ]);
    }
  }
  return out;
}

const HEAD = ["row", "what was measured", "median", "min–max", "ratio", "goal", "met"];

export function textTable(rows) {
  const body = [HEAD, ...tableRows(rows)];
  const widths = HEAD.map((_, i) => Math.max(...body.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join(" │ ");
  return [line(body[0]), widths.map((w) => "─".repeat(w)).join("─┼─"), ...body.slice(1).map(line)].join("\n");
}

function markdownTable(rows) {
  const esc = (c) => String(c).replaceAll("|", "\\|");
  const body = tableRows(rows);
  return [
    `| ${HEAD.join(" | ")} |`,
    `| ${HEAD.map(() => "---").join(" | ")} |`,
    ...body.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

export function machine() {
  const sh = (cmd, args) => spawnSync(cmd, args, { encoding: "utf8", cwd: root }).stdout?.trim() ?? "";
  const mem = sh("free", ["-h"]).split("\n")[1]?.trim().split(/\s+/) ?? [];
  const dirty = sh("git", ["status", "--porcelain", "--", "worker", "schema"]);
  return {
    nproc: Number(sh("nproc", [])) || os.cpus().length,
    cpu: os.cpus()[0]?.model ?? "unknown",
    memory: mem.length >= 3 ? `total ${mem[1]}, used ${mem[2]}, available ${mem.at(-1)}` : "unknown",
    loadavg: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" "),
    node: process.version,
    wrangler: sh(process.execPath, [path.join(root, "node_modules", "wrangler", "bin", "wrangler.js"), "--version"]),
    commit: sh("git", ["rev-parse", "--short", "HEAD"]),
    workingTreeDirty: dirty ? dirty.split("\n").length : 0,
    stateDir: stateFilesystem(),
  };
}

export function writeJson(file, data) {
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

export function writeMarkdown(file, { startedAt, durationS, mode, machine: m, loadEnd, rows, failures }) {
  const notes = rows.flatMap((row) => row.notes.map((n) => `- **${row.id}**: ${n}`));
  const text = [
    "# Benchmark results",
    "",
    "Written by `npm run bench` (test/bench/run.mjs); each full run replaces this file. Everything runs",
    "locally under `wrangler dev` (workerd + Miniflare's D1/R2/Workflows simulators) on the machine",
    "below, so absolute numbers are local-dev numbers, not Cloudflare production ones.",
    "",
    `- Date: ${startedAt} (${mode} run, ${durationS.toFixed(0)} s)`,
    `- Machine: ${m.nproc} cores (${m.cpu}), memory ${m.memory}, load average ${m.loadavg} at start and ${loadEnd} at the end (the machine is shared with other work)`,
    `- Node ${m.node}, wrangler ${m.wrangler}; state files (Durable Objects' SQLite, D1, R2) under ${m.stateDir}`,
    `- Code: commit ${m.commit}${m.workingTreeDirty ? ` plus ${m.workingTreeDirty} uncommitted change(s) under worker/ or schema/ (bundled as found)` : ""}`,
    "",
    markdownTable(rows),
    "",
    "## Notes",
    "",
    ...notes,
    ...(failures.length ? ["", "## Failures", "", ...failures.map((f) => `- **${f.id}**: ${f.error}`)] : []),
    "",
  ].join("\n");
  writeFileSync(file, text);
}
