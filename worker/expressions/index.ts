// PLACEHOLDER renderer (dotted lookups only) until the Pebble-on-liquidjs engine lands.
export class RenderError extends Error {}

export interface RenderServices {
  read?(uri: string): Promise<string>;
  kv?(namespace: string, key: string, errorOnMissing: boolean): Promise<unknown>;
  secret?(key: string): Promise<string>;
  errorLogs?(): unknown[];
  now?(): Date;
}

function lookup(path: string, vars: Record<string, unknown>, template: string): unknown {
  let cur: unknown = vars;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object" || !(part in (cur as object))) {
      throw new RenderError(`Unable to find \`${part}\` used in the expression \`${template}\``);
    }
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function toText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export async function render(template: string, vars: Record<string, unknown>, _s?: RenderServices): Promise<string> {
  if (!template.includes("{")) return template;
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, p: string) => toText(lookup(p, vars, template)));
}

export async function renderTyped(
  template: string,
  vars: Record<string, unknown>,
  s?: RenderServices,
): Promise<unknown> {
  const m = /^\{\{\s*([\w.]+)\s*\}\}$/.exec(template);
  return m ? lookup(m[1]!, vars, template) : render(template, vars, s);
}

export async function renderDeep(value: unknown, vars: Record<string, unknown>, s?: RenderServices): Promise<unknown> {
  if (typeof value === "string") return render(value, vars, s);
  if (Array.isArray(value)) return Promise.all(value.map((v) => renderDeep(v, vars, s)));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await renderDeep(v, vars, s);
    return out;
  }
  return value;
}

export function isTruthy(rendered: string): boolean {
  const t = rendered.trim();
  return !(t === "" || t === "false" || t === "0" || t === "-0");
}
