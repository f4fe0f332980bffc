// The README's SDK example is client/examples/inspect.ts, included verbatim: this test checks that
// the README still shows that file as it is, and runs it against the real Worker.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { inspect } from "../../client/examples/inspect.ts";
import { Peregrine } from "../../client/src/index.ts";
import { BASE, createTenant } from "../helpers/tenant";

const first = (files: Record<string, string>) => Object.values(files)[0] ?? "";
const readme = first(import.meta.glob<string>("../../README.md", { query: "?raw", import: "default", eager: true }));
const example = first(
  import.meta.glob<string>("../../client/examples/inspect.ts", { query: "?raw", import: "default", eager: true }),
);

describe("README: SDK", () => {
  it("shows client/examples/inspect.ts as it is", () => {
    expect(readme).toContain(["```ts", example.trimEnd(), "```"].join("\n"));
  });

  it("runs that example against the Worker and gets what its comments say", async () => {
    const tenant = await createTenant();
    const p = new Peregrine({
      url: BASE,
      tenant: tenant.tenantId,
      apiKey: tenant.key,
      fetch: (req) => exports.default.fetch(req),
    });
    expect(await inspect(p)).toEqual({
      state: "SUCCESS",
      graceResult: { value: "hello grace" },
      all: [
        { iteration: 0, value: "ada", outputs: { hello: { value: "hello ada" } } },
        { iteration: 1, value: "grace", outputs: { hello: { value: "hello grace" } } },
      ],
      greetings: ["hello ada", "hello grace"],
      missing: "404 not_found",
    });
  });
});
