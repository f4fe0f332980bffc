import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isAbsoluteUri } from "../../worker/launch/uri";
import { saveFlow } from "../helpers/executions";
import { createTenant } from "../helpers/tenant";

describe("URI inputs accept absolute URIs only", () => {
  it("accepts absolute URIs of every common shape", () => {
    for (const uri of [
      "https://kestra.io/docs",
      "http://localhost:8080/api?x=1#top",
      "https://user:pw@example.com:443/a%20b",
      "http://[::1]:8080/",
      "ftp://files.example.org",
      "kestra:///ns/flow/executions/e/file.txt",
      "file:///tmp/a.csv",
      "mailto:someone@example.com",
      "urn:isbn:0451450523",
      "s3://bucket/key",
    ]) {
      expect(isAbsoluteUri(uri), uri).toBe(true);
    }
  });

  it("refuses relative references, bad schemes, spaces, broken escapes and server schemes without a host", () => {
    for (const uri of [
      "no uri here",
      "/relative/path",
      "example.com",
      "://x",
      "1http://example.com",
      "ht tp://example.com",
      "http:/bla",
      "https://",
      "http://exa mple.com",
      "http://example.com/%zz",
      "http://example.com:80a/",
      "http://example.com/a#b#c",
      "mailto:",
      "http://ex<ample>.com",
    ]) {
      expect(isAbsoluteUri(uri), uri).toBe(false);
    }
  });

  it("accepts every web URL and refuses it once a space is inside (property)", () => {
    fc.assert(
      fc.property(
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        (url) => isAbsoluteUri(url) && !isAbsoluteUri(url.replace("://", ":// ")),
      ),
      { numRuns: 50 },
    );
  });

  it("an execution with a URI input that is not an absolute URI is refused with a 422 naming it", async () => {
    const tenant = await createTenant();
    await saveFlow(
      tenant,
      [
        "id: uri",
        "namespace: qa",
        "inputs:",
        "  - id: link",
        "    type: URI",
        "tasks:",
        "  - id: log",
        "    type: io.kestra.plugin.core.log.Log",
        '    message: "{{ inputs.link }}"',
        "",
      ].join("\n"),
    );
    const bad = await tenant.fetch("executions/qa/uri", {
      method: "POST",
      body: new URLSearchParams({ link: "http:/bla" }),
    });
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { details: { input: string; message: string }[] };
    expect(body.details[0]).toMatchObject({ input: "link" });
    const good = await tenant.fetch("executions/qa/uri", {
      method: "POST",
      body: new URLSearchParams({ link: "https://kestra.io" }),
    });
    expect(good.status).toBe(200);
  });
});
