// Example flows offered to a tenant with none yet: the repository's schema/examples/*.yaml, loaded
// only when asked for (they stay out of the first page's JavaScript).
const files = import.meta.glob<string>("../../../schema/examples/*.yaml", { query: "?raw", import: "default" });

/** Used while the repository ships no examples, so that the first flow is still one click away. */
const FALLBACK = `id: hello-world
namespace: company.team

inputs:
  - id: greeting
    type: STRING
    defaults: Hello from Peregrine

tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.greeting }}"
`;

export const exampleNames = (): string[] => {
  const names = Object.keys(files).map((p) => p.replace(/^.*\//, "").replace(/\.yaml$/, ""));
  return names.length ? names.sort() : ["hello-world"];
};

export async function exampleSource(name: string): Promise<string> {
  const entry = Object.entries(files).find(([p]) => p.endsWith(`/${name}.yaml`));
  return entry ? await entry[1]() : FALLBACK;
}
