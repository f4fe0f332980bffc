// http.Download against a network the test supplies (the guarded fetch is tested on its own):
// the body becomes a file of the execution, with Kestra's outputs and failures.
import { describe, expect, it } from "vitest";
import { runnerOf } from "../../worker/tasks/registry";
import { makeRun } from "./context";

const download = runnerOf("io.kestra.plugin.core.http.Download")!;

describe("http.Download", () => {
  it("stores the body as a file named by Content-Disposition, with uri, code, length and headers", async () => {
    const run = makeRun(
      { uri: "https://files.example/{{ p }}", headers: { "X-Token": "{{ p }}" } },
      { p: "orders" },
      async () =>
        new Response("id,total\n1,10\n", {
          headers: { "content-type": "text/csv", "content-disposition": 'attachment; filename="orders.csv"' },
        }),
    );
    const outcome = await download.run(run.ctx);
    expect(run.requests[0]?.url).toBe("https://files.example/orders");
    expect(run.requests[0]?.headers.get("x-token")).toBe("orders");
    expect(outcome.outputs).toMatchObject({ uri: "kestra:///test/orders.csv", code: 200, length: 14 });
    expect((outcome.outputs?.headers as Record<string, string[]> | undefined)?.["content-type"]).toEqual(["text/csv"]);
    expect(run.files.get("kestra:///test/orders.csv")).toBe("id,total\n1,10\n");
  });

  it("names the file after the URL path without Content-Disposition", async () => {
    const run = makeRun({ uri: "https://files.example/data/a%20b.json?x=1" }, {}, async () => new Response("{}"));
    expect((await download.run(run.ctx)).outputs?.uri).toBe("kestra:///test/a b.json");
  });

  it("fails on a code of 400 or more, and on an empty body unless failOnEmptyResponse is false", async () => {
    const missing = makeRun({ uri: "https://files.example/x" }, {}, async () => new Response("no", { status: 404 }));
    await expect(download.run(missing.ctx)).rejects.toThrow(/response code 404/);
    const empty = makeRun({ uri: "https://files.example/x" }, {}, async () => new Response(""));
    await expect(download.run(empty.ctx)).rejects.toThrow(/No response from server/);
    expect(empty.files.size).toBe(0);
    const allowed = makeRun(
      { uri: "https://files.example/x", failOnEmptyResponse: false },
      {},
      async () => new Response(""),
    );
    expect((await download.run(allowed.ctx)).outputs).toMatchObject({ length: 0, code: 200 });
  });
});
