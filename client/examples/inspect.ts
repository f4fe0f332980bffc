import { type Peregrine, PeregrineError } from "@peregrine/sdk";

export async function inspect(p: Peregrine) {
  await p.flows.save(`id: greet
namespace: docs
inputs:
  - id: names
    type: JSON
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: "{{ inputs.names }}"
    tasks:
      - id: hello
        type: io.kestra.plugin.core.debug.Return
        format: "hello {{ taskrun.value }}"
`);

  // Start it and wait for the end (labels and File/Blob inputs work the same way).
  const execution = await p.executions.create("docs", "greet", {
    inputs: { names: ["ada", "grace"] },
    labels: { team: "docs" },
    wait: true,
  });

  // One loop child, by value (or { iteration: 1 }), as a frozen snapshot.
  const grace = await p.taskRuns.fromTask(execution.id, "hello", { value: "grace" });
  const graceResult = await grace.result(); // { value: "hello grace" }

  // The loop parent: its children's outputs in iteration order, or page by page.
  const loop = await p.taskRuns.fromTask(execution.id, "each");
  const all = await loop.result(); // [{ iteration: 0, value: "ada", outputs: { hello: { value: "hello ada" } } }, …]
  const greetings: string[] = [];
  for await (const child of loop.children({ pageSize: 100 })) greetings.push(String(child.outputs?.value));

  // Every failure is a PeregrineError with the API's status and code.
  let missing: string | undefined;
  try {
    await p.executions.get("no-such-execution");
  } catch (error) {
    if (error instanceof PeregrineError) missing = `${error.status} ${error.code}`; // "404 not_found"
  }
  return { state: execution.state.current, graceResult, all, greetings, missing };
}
