// The flows the benchmark runs, written out as Kestra YAML (namespace `bench`).

const NS = "bench";

export function sequentialReturns(id, count) {
  const tasks = Array.from(
    { length: count },
    (_, i) =>
      `  - id: t${i}\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ taskrun.attemptsCount + ${i + 1} }}"`,
  );
  return `id: ${id}\nnamespace: ${NS}\ntasks:\n${tasks.join("\n")}\n`;
}

export function sequentialSleeps(id, count, duration) {
  const tasks = Array.from(
    { length: count },
    (_, i) => `  - id: s${i}\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: ${duration}`,
  );
  return `id: ${id}\nnamespace: ${NS}\ntasks:\n${tasks.join("\n")}\n`;
}

/** ForEach over 1..n (the expression engine's range is inclusive) with one runnable child. */
export function forEach(id, n, concurrencyLimit, child) {
  const body =
    child === "log"
      ? `      - id: log\n        type: io.kestra.plugin.core.log.Log\n        message: "item {{ taskrun.value }}"`
      : `      - id: child\n        type: io.kestra.plugin.core.debug.Return\n        format: "{{ taskrun.value }}"`;
  return [
    `id: ${id}`,
    `namespace: ${NS}`,
    "tasks:",
    "  - id: each",
    "    type: io.kestra.plugin.core.flow.ForEach",
    `    values: "{{ range(1, ${n}) }}"`,
    `    concurrencyLimit: ${concurrencyLimit}`,
    "    tasks:",
    body,
    "",
  ].join("\n");
}

/** The shape of Kestra's benchmark01: a webhook starts OutputValues then a Log that reads it. */
export function webhookFlow(id, key) {
  return [
    `id: ${id}`,
    `namespace: ${NS}`,
    "tasks:",
    "  - id: output",
    "    type: io.kestra.plugin.core.output.OutputValues",
    "    values:",
    "      greeting: hello from the benchmark",
    "  - id: log",
    "    type: io.kestra.plugin.core.log.Log",
    '    message: "{{ outputs.output.values.greeting }}"',
    "triggers:",
    "  - id: webhook",
    "    type: io.kestra.plugin.core.trigger.Webhook",
    `    key: ${key}`,
    "",
  ].join("\n");
}

export const NAMESPACE = NS;
