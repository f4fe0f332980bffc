// Public API of Kestra's Pebble expression dialect, built on liquidjs (see engine.ts).
// The execution engine calls render/renderTyped/renderDeep/isTruthy; RenderError is the only error they throw.
import { evaluateAt, PebbleOutput, parseTemplate, renderTemplates, toRenderError } from "./engine";
import type { Env, RenderServices } from "./env";
import { Budget, DEFAULT_LIMITS, RenderError, type RenderLimits } from "./errors";
import { isDict } from "./values";

export type { RenderServices } from "./env";
export type { RenderLimits } from "./errors";
export { RenderError } from "./errors";
export { isTruthy } from "./values";

export interface RenderOptions {
  limits?: Partial<RenderLimits>;
}

function makeEnv(vars: Record<string, unknown>, services: RenderServices, budget: Budget, depth: number): Env {
  const env: Env = {
    vars,
    scopes: [{}],
    services,
    budget,
    depth,
    template: "",
    renderNested: async (src, recursive) => {
      let out = await renderWith(src, makeEnv(vars, services, budget, depth + 1));
      if (recursive) {
        for (let d = depth + 2; out.includes("{{") || out.includes("{%"); d++) {
          const next = await renderWith(out, makeEnv(vars, services, budget, d));
          if (next === out) break;
          out = next;
        }
      }
      return out;
    },
  };
  return env;
}

async function renderWith(template: string, env: Env): Promise<string> {
  if (env.depth > env.budget.limits.maxDepth) {
    throw new RenderError(`Render budget exceeded: render() nested deeper than ${env.budget.limits.maxDepth} levels`);
  }
  if (!template.includes("{")) return template;
  env.template = template;
  try {
    if (template.length > env.budget.limits.maxTemplate) {
      throw new RenderError(`Template longer than ${env.budget.limits.maxTemplate} characters`);
    }
    return await renderTemplates(parseTemplate(template), env);
  } catch (e) {
    throw toRenderError(e);
  }
}

function rootEnv(vars: Record<string, unknown>, services?: RenderServices, options?: RenderOptions): Env {
  const budget = new Budget({ ...DEFAULT_LIMITS, ...options?.limits });
  return makeEnv(vars, services ?? {}, budget, 0);
}

/** Renders a template to a string; templates without `{` come back untouched. */
export async function render(
  template: string,
  vars: Record<string, unknown>,
  services?: RenderServices,
  options?: RenderOptions,
): Promise<string> {
  if (!template.includes("{")) return template;
  return renderWith(template, rootEnv(vars, services, options));
}

/** Like render, but a template that is exactly one `{{ expr }}` yields the raw value (number, map, list, null…). */
export async function renderTyped(
  template: string,
  vars: Record<string, unknown>,
  services?: RenderServices,
  options?: RenderOptions,
): Promise<unknown> {
  if (!template.includes("{")) return template;
  const env = rootEnv(vars, services, options);
  env.template = template;
  try {
    const { templates } = parseTemplate(template);
    const only = templates[0];
    if (templates.length === 1 && only instanceof PebbleOutput) {
      return (await evaluateAt(only.ast, env, only.source, only.token)) ?? null;
    }
  } catch (e) {
    throw toRenderError(e);
  }
  return renderWith(template, env);
}

/** Renders every string inside maps and lists (keys included); other scalars are kept. */
export async function renderDeep(
  value: unknown,
  vars: Record<string, unknown>,
  services?: RenderServices,
  options?: RenderOptions,
): Promise<unknown> {
  if (typeof value === "string") return render(value, vars, services, options);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) out.push(await renderDeep(v, vars, services, options));
    return out;
  }
  if (isDict(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[await render(k, vars, services, options)] = await renderDeep(v, vars, services, options);
    }
    return out;
  }
  return value;
}
