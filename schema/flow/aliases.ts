// Type-name aliases: folds the older Kestra class names (io.kestra.core.tasks.*, models.triggers.types.*,
// models.conditions.types.*, plugin.fs.http.*) onto the io.kestra.plugin.core.* names the rest of Peregrine uses.

const CORE = "io.kestra.plugin.core.";

/** Renames that the package-level rules below cannot derive. */
const EXACT: Record<string, string> = {
  "io.kestra.core.tasks.flows.Flow": `${CORE}flow.Subflow`,
  "io.kestra.core.tasks.flows.Subflow": `${CORE}flow.Subflow`,
  "io.kestra.core.tasks.flows.Worker": `${CORE}flow.WorkingDirectory`,
  "io.kestra.core.tasks.storages.PurgeExecution": `${CORE}storage.PurgeCurrentExecutionFiles`,
  [`${CORE}storage.PurgeExecution`]: `${CORE}storage.PurgeCurrentExecutionFiles`,
  "io.kestra.plugin.fs.http.Request": `${CORE}http.Request`,
  "io.kestra.plugin.fs.http.Download": `${CORE}http.Download`,
  "io.kestra.plugin.fs.http.Trigger": `${CORE}http.Trigger`,
};

/** Old package segment → new one; the old names were mostly plural. */
const PACKAGES: Record<string, string> = {
  flows: "flow",
  debugs: "debug",
  executions: "execution",
  storages: "storage",
  outputs: "output",
  states: "state",
  log: "log",
  templating: "templating",
  kv: "kv",
  trigger: "trigger",
  http: "http",
};

/** Maps any accepted spelling of a task type onto its canonical `io.kestra.plugin.core.…` name. */
export function canonicalType(type: string): string {
  const exact = EXACT[type];
  if (exact) return exact;
  const m = /^io\.kestra\.core\.tasks\.([A-Za-z]+)\.([A-Za-z0-9_]+)$/.exec(type);
  if (m) {
    const pkg = PACKAGES[m[1] ?? ""] ?? m[1];
    return `${CORE}${pkg}.${m[2]}`;
  }
  return type;
}

/** Trigger types: `io.kestra.core.models.triggers.types.X` → `io.kestra.plugin.core.trigger.X`. */
export function canonicalTriggerType(type: string): string {
  const m = /^io\.kestra\.core\.models\.triggers\.types\.([A-Za-z0-9_]+)$/.exec(type);
  if (m) return `${CORE}trigger.${m[1]}`;
  return EXACT[type] ?? type;
}

/** Condition types: `io.kestra.core.models.conditions.types.X` → `io.kestra.plugin.core.condition.X`. */
export function canonicalConditionType(type: string): string {
  const m = /^io\.kestra\.core\.models\.conditions\.types\.([A-Za-z0-9_]+)$/.exec(type);
  return m ? `${CORE}condition.${m[1]}` : type;
}
