// storage.LocalFiles (deprecated in Kestra): `inputs` (a map of file name → content, or that map
// as JSON text) become files of the task's working directory, and the files matching the glob
// patterns of `outputs` are stored, output `uris` (file name → kestra:// URI). A content that is
// a kestra:// URI is replaced by that file's content. Peregrine has no shared working directory,
// so the only files a LocalFiles sees are its own inputs.
import { isRecord } from "../properties";
import type { RunnableTask, TaskContext } from "../types";
import { TaskFailure } from "../types";

async function inputsOf(ctx: TaskContext): Promise<Record<string, unknown>> {
  const raw = ctx.task.inputs;
  if (raw === undefined || raw === null) return {};
  const value = typeof raw === "string" ? await ctx.renderTyped(raw) : await ctx.renderDeep(raw);
  const map = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  if (!isRecord(map)) throw new TaskFailure("Property 'inputs' must be a map of file name to content");
  return map;
}

/** A glob as Java's `glob:` matcher reads it: `*` within a segment, `**` across, `?` one character. */
export function globRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export const localFilesTask: RunnableTask = {
  async run(ctx) {
    const inputs = await inputsOf(ctx);
    const files = new Map<string, string>();
    for (const [name, content] of Object.entries(inputs)) {
      if (name.split("/").some((s) => s === ".." || s === "")) throw new TaskFailure(`Invalid file name '${name}'`);
      const text = typeof content === "string" ? content : JSON.stringify(content);
      files.set(name, text.startsWith("kestra://") ? await ctx.readFile(text.trim()) : text);
    }
    const patterns = ((await ctx.renderDeep(ctx.task.outputs ?? [])) as unknown[]).map((p) => globRegExp(String(p)));
    const uris: Record<string, string> = {};
    for (const [name, text] of files) {
      if (patterns.some((p) => p.test(name))) uris[name] = await ctx.putFile(name, text);
    }
    return { outputs: { uris } };
  },
};
