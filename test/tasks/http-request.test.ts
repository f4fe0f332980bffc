import { describe, expect, it } from "vitest";
import { runnableTasks } from "../../worker/tasks/registry";
import { makeRun } from "./context";

const request = runnableTasks["io.kestra.plugin.core.http.Request"];
if (!request) throw new Error("http.Request not registered");

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

describe("http.Request", () => {
  it("GETs the rendered URI and outputs code, multi-valued headers and the body as text", async () => {
    const run = makeRun({ uri: "https://api.example/{{ p }}" }, { p: "items" }, async () => {
      const headers = new Headers({ "content-type": "application/json", "x-one": "1" });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response('{"ok":true}', { status: 200, headers });
    });
    const outcome = await request.run(run.ctx);
    expect(run.requests[0]?.method).toBe("GET");
    expect(run.requests[0]?.url).toBe("https://api.example/items");
    expect(outcome.outputs).toEqual({
      uri: "https://api.example/items",
      code: 200,
      headers: { "content-type": ["application/json"], "x-one": ["1"], "set-cookie": ["a=1", "b=2"] },
      body: '{"ok":true}',
    });
  });

  it("POSTs a rendered body with the JSON content type by default and rendered headers", async () => {
    const run = makeRun(
      {
        uri: "https://api.example/add",
        method: "post",
        body: '{"title": "{{ t }}"}',
        headers: { "X-Token": "{{ t }}" },
      },
      { t: "pen" },
      async () => json({ id: 1 }, 201),
    );
    const outcome = await request.run(run.ctx);
    const sent = run.requests[0];
    expect(sent?.method).toBe("POST");
    expect(sent?.headers.get("content-type")).toBe("application/json");
    expect(sent?.headers.get("x-token")).toBe("pen");
    expect(await sent?.text()).toBe('{"title": "pen"}');
    expect(outcome.outputs?.code).toBe(201);
    expect(outcome.outputs?.body).toBe('{"id":1}');
  });

  it("sends a YAML map body as rendered JSON", async () => {
    const run = makeRun(
      { uri: "https://api.example/", method: "PUT", body: { name: "{{ n }}", tags: ["a"] } },
      { n: "x" },
    );
    await request.run(run.ctx);
    expect(await run.requests[0]?.json()).toEqual({ name: "x", tags: ["a"] });
  });

  it("sends form data urlencoded unless the content type is multipart", async () => {
    const run = makeRun(
      { uri: "https://api.example/login", method: "POST", formData: { user: "{{ u }}", n: 2 } },
      { u: "ann" },
    );
    await request.run(run.ctx);
    expect(run.requests[0]?.headers.get("content-type")).toMatch(/^application\/x-www-form-urlencoded/);
    const body = new TextDecoder().decode(await run.requests[0]?.arrayBuffer());
    expect(body).toBe("user=ann&n=2");
  });

  it("sends multipart form data with kestra:// values as file parts", async () => {
    const run = makeRun({
      uri: "https://api.example/upload",
      method: "POST",
      contentType: "multipart/form-data",
      formData: {
        user: "ann",
        doc: "kestra:///test/report.csv",
        named: { name: "my.txt", content: "kestra:///test/report.csv" },
      },
    });
    await run.ctx.putFile("report.csv", "a,b\n1,2\n");
    await request.run(run.ctx);
    const sent = run.requests[0];
    if (!sent) throw new Error("nothing sent");
    expect(sent.headers.get("content-type")).toMatch(/^multipart\/form-data; boundary=/);
    const form = await sent.formData();
    expect(form.get("user")).toBe("ann");
    const doc = form.get("doc") as File;
    expect(doc.name).toBe("report.csv");
    expect(await doc.text()).toBe("a,b\n1,2\n");
    expect((form.get("named") as File).name).toBe("my.txt");
  });

  it("fails on a response code of 400 or more with the code and a snippet of the body", async () => {
    const run = makeRun(
      { uri: "https://api.example/x" },
      {},
      async () => new Response("no such thing", { status: 404 }),
    );
    await expect(request.run(run.ctx)).rejects.toThrow(/404: no such thing/);
  });

  it("keeps a failed response as output when allowFailed is set (top level or in options)", async () => {
    for (const task of [
      { uri: "https://api.example/x", allowFailed: true },
      { uri: "https://api.example/x", options: { allowFailed: "true" } },
    ]) {
      const run = makeRun(task, {}, async () => new Response("boom", { status: 500 }));
      const outcome = await request.run(run.ctx);
      expect(outcome.outputs).toMatchObject({ code: 500, body: "boom" });
    }
  });

  it("adds basic authentication from options", async () => {
    const run = makeRun({
      uri: "https://api.example/",
      options: { auth: { type: "BASIC", username: "u", password: "p" } },
    });
    await request.run(run.ctx);
    expect(run.requests[0]?.headers.get("authorization")).toBe(`Basic ${btoa("u:p")}`);
  });

  it("escapes spaces in the URI", async () => {
    const run = makeRun({ uri: "https://api.example/a b" });
    const outcome = await request.run(run.ctx);
    expect(outcome.outputs?.uri).toBe("https://api.example/a%20b");
  });

  it("fails when the body is larger than options.maxContentLength", async () => {
    const run = makeRun(
      { uri: "https://api.example/", options: { maxContentLength: 4 } },
      {},
      async () => new Response("12345"),
    );
    await expect(request.run(run.ctx)).rejects.toThrow(/larger than 4 bytes/);
  });

  it("fails with the network's reason when the fetch is refused", async () => {
    const run = makeRun({ uri: "http://127.0.0.1/" }, {}, async () => {
      throw new Error("Refused to fetch http://127.0.0.1/: address 127.0.0.1 is not public");
    });
    await expect(request.run(run.ctx)).rejects.toThrow(/GET http:\/\/127\.0\.0\.1\/ failed: Refused/);
  });

  it("gives up when options.timeout elapses", async () => {
    const run = makeRun(
      { uri: "https://api.example/slow", options: { timeout: "PT0.05S" } },
      {},
      (req) =>
        new Promise((_resolve, reject) => {
          req.signal.addEventListener("abort", () => reject(req.signal.reason));
        }),
    );
    await expect(request.run(run.ctx)).rejects.toThrow(/failed/);
  });
});
