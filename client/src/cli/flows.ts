// `peregrine flows list|get|validate|apply`. validate and apply take files or directories (their
// .yaml/.yml files); apply validates every file first and saves nothing when one is invalid,
// printing each violation as file:line:col.
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { FlowJson, ValidationReport } from "../types.ts";
import { UsageError } from "./config.ts";
import { arg, type Context, integer } from "./context.ts";
import { EXIT } from "./output.ts";

interface SourceFile {
  file: string;
  source: string;
}

async function sourcesOf(ctx: Context): Promise<SourceFile[]> {
  if (ctx.args.length === 0) throw new UsageError("missing <file|dir>");
  const files: string[] = [];
  for (const given of ctx.args) {
    const info = await stat(given).catch(() => undefined);
    if (!info) throw new UsageError(`${given}: no such file or directory`);
    if (info.isDirectory()) {
      const names = (await readdir(given)).filter((n) => /\.ya?ml$/i.test(n)).sort();
      files.push(...names.map((n) => path.join(given, n)));
    } else files.push(given);
  }
  if (files.length === 0) throw new UsageError(`no .yaml or .yml file in ${ctx.args.join(", ")}`);
  const decoder = new TextDecoder();
  return Promise.all(files.map(async (file) => ({ file, source: decoder.decode(await ctx.readFile(file)) })));
}

/** `file:line:col: path: message` for each violation of each invalid document. */
function problems(file: string, reports: ValidationReport[]): string[] {
  return reports.flatMap((r) =>
    (r.violations ?? []).map((v) => {
      const at = v.line !== undefined ? `:${v.line}${v.column !== undefined ? `:${v.column}` : ""}` : "";
      return `${file}${at}: ${v.path ? `${v.path}: ` : ""}${v.message}`;
    }),
  );
}

async function validateAll(ctx: Context, files: SourceFile[]) {
  return Promise.all(files.map(async (f) => ({ ...f, reports: await ctx.p.flows.validate(f.source) })));
}

export async function flowsValidate(ctx: Context): Promise<number> {
  const checked = await validateAll(ctx, await sourcesOf(ctx));
  const found = checked.flatMap((c) => problems(c.file, c.reports));
  ctx.out.result(
    checked.map((c) => ({ file: c.file, valid: problems(c.file, c.reports).length === 0, reports: c.reports })),
    () => {
      for (const c of checked) if (problems(c.file, c.reports).length === 0) ctx.out.line(`${c.file}: valid`);
      for (const line of found) ctx.out.line(line);
    },
  );
  return found.length === 0 ? EXIT.ok : EXIT.failed;
}

export async function flowsApply(ctx: Context): Promise<number> {
  const checked = await validateAll(ctx, await sourcesOf(ctx));
  const found = checked.flatMap((c) => problems(c.file, c.reports));
  if (found.length > 0) {
    for (const line of found) ctx.out.note(line);
    ctx.out.note(`error: ${found.length} problem(s); nothing was saved`);
    return EXIT.failed;
  }
  const several = checked.filter((c) => c.reports.length !== 1);
  if (several.length > 0)
    throw new UsageError(`${several[0]?.file}: one flow per file (found ${several[0]?.reports.length})`);
  const saved: { file: string; flow: FlowJson }[] = [];
  for (const c of checked) saved.push({ file: c.file, flow: await ctx.p.flows.save(c.source) });
  ctx.out.result(
    saved.map((s) => s.flow),
    () => {
      for (const s of saved) ctx.out.line(`${s.file}: ${s.flow.namespace}.${s.flow.id} revision ${s.flow.revision}`);
    },
  );
  return EXIT.ok;
}

export async function flowsList(ctx: Context): Promise<number> {
  const { results, total } = await ctx.p.flows.search({
    namespace: ctx.options.namespace,
    q: ctx.options.q,
    size: integer(ctx.options.size, "size") ?? 100,
    page: integer(ctx.options.page, "page"),
  });
  ctx.out.result({ results, total }, () => {
    ctx.out.table(
      ["NAMESPACE", "ID", "REVISION", "DISABLED"],
      results.map((f) => [f.namespace, f.id, String(f.revision), f.disabled ? "yes" : ""]),
    );
    if (total > results.length) ctx.out.note(`${results.length} of ${total}; --page for more`);
  });
  return EXIT.ok;
}

export async function flowsGet(ctx: Context): Promise<number> {
  const flow = await ctx.p.flows.get(arg(ctx, 0, "namespace"), arg(ctx, 1, "id"), { source: true });
  ctx.out.result(flow, () => ctx.out.line((flow.source ?? "").replace(/\n$/, "")));
  return EXIT.ok;
}
