// The expression console: templates rendered against one task run's context (its variables, with
// the execution's secret values opened and masked in whatever comes back), each on its own so that
// the caller can tell which part of a template fails.
import type { TaskRun } from "../engine/types";
import { render } from "../expressions";
import type { RunnerHost } from "./host";
import type { EvalOutcome } from "./object";
import { renderScope } from "./runner";

export async function evaluateForTaskRun(host: RunnerHost, run: TaskRun, templates: string[]): Promise<EvalOutcome[]> {
  let scope: Awaited<ReturnType<typeof renderScope>>;
  try {
    scope = await renderScope(host, run);
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return templates.map(() => ({ ok: false, error }));
  }
  const { vars, svc } = scope;
  const out: EvalOutcome[] = [];
  for (const template of templates) {
    try {
      out.push({ ok: true, value: svc.masker.mask(await render(template, vars, svc)) });
    } catch (e) {
      out.push({ ok: false, error: svc.masker.mask(e instanceof Error ? e.message : String(e)) });
    }
  }
  return out;
}
