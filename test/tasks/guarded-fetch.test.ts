import { describe, expect, it } from "vitest";
import { createGuardedFetch, RefusedUrlError, refusalReason } from "../../worker/net/guarded-fetch";

const refused = [
  "http://127.0.0.1/",
  "http://127.1.2.3:8080/x",
  "http://2130706433/",
  "http://0x7f.1/",
  "http://0177.0.0.1/",
  "http://0x7f000001/",
  "http://10.0.0.5/",
  "http://172.16.0.1/",
  "http://172.31.255.255/",
  "http://192.168.1.1/",
  "http://169.254.169.254/latest/meta-data/",
  "http://100.64.0.1/",
  "http://100.127.255.255/",
  "http://0.0.0.0/",
  "http://[::1]/",
  "http://[::]/",
  "http://[fe80::1]/",
  "http://[fc00::1]/",
  "http://[fd12:3456::1]/",
  "http://[::ffff:127.0.0.1]/",
  "http://[::ffff:a9fe:a9fe]/",
  "http://[::ffff:10.1.2.3]/",
  "http://[64:ff9b::a00:1]/",
  "http://[2002:7f00:1::]/",
  "http://localhost/",
  "http://LOCALHOST:3000/",
  "http://localhost./",
  "http://api.localhost/",
  "http://metadata.google.internal/computeMetadata/v1/",
  "https://224.0.0.1/",
  "ftp://example.com/file",
  "file:///etc/passwd",
  "gopher://example.com/",
  // Names that resolve to private addresses, read without DNS (a Worker cannot resolve first).
  "http://localtest.me:8080/",
  "http://anything.localtest.me/",
  "http://lvh.me/",
  "http://127.0.0.1.nip.io/",
  "http://app.10-0-0-5.sslip.io/",
  "http://intranet/",
];

const allowed = [
  "https://example.com/",
  "http://93.184.216.34/",
  "http://172.32.0.1/",
  "http://100.128.0.1/",
  "http://11.0.0.1/",
  "http://[2606:4700:4700::1111]/",
  "http://[::ffff:8.8.8.8]/",
  "https://localhost.example.com/",
  "http://8.8.8.8.nip.io/",
];

describe("refusalReason", () => {
  it.each(refused)("refuses %s", (url) => {
    expect(refusalReason(new URL(url), false)).not.toBeNull();
  });

  it.each(allowed)("allows %s", (url) => {
    expect(refusalReason(new URL(url), false)).toBeNull();
  });

  it("lets private addresses through when the tenant allows the private network, but never other schemes", () => {
    expect(refusalReason(new URL("http://127.0.0.1/"), true)).toBeNull();
    expect(refusalReason(new URL("http://[::1]/"), true)).toBeNull();
    expect(refusalReason(new URL("http://metadata.google.internal/"), true)).toBeNull();
    expect(refusalReason(new URL("file:///etc/passwd"), true)).not.toBeNull();
  });
});

function network(routes: Record<string, () => Response>) {
  const seen: Request[] = [];
  const fetcher = async (request: Request) => {
    seen.push(request);
    const route = routes[request.url];
    return route ? route() : new Response("missing", { status: 404 });
  };
  return { seen, fetcher };
}

const redirect = (to: string, status = 302) => new Response(null, { status, headers: { location: to } });

describe("createGuardedFetch", () => {
  it("refuses a private address before anything is sent", async () => {
    const net = network({});
    const guarded = createGuardedFetch({ allowPrivateNetwork: false, fetcher: net.fetcher });
    await expect(guarded("http://2130706433/")).rejects.toBeInstanceOf(RefusedUrlError);
    expect(net.seen).toHaveLength(0);
  });

  it("sends to a private address when allowed", async () => {
    const net = network({ "http://127.0.0.1/": () => new Response("local") });
    const guarded = createGuardedFetch({ allowPrivateNetwork: true, fetcher: net.fetcher });
    expect(await (await guarded("http://127.0.0.1/")).text()).toBe("local");
  });

  it("follows redirects itself and refuses a hop to a private address", async () => {
    const net = network({
      "https://a.example/": () => redirect("https://b.example/next"),
      "https://b.example/next": () => redirect("http://169.254.169.254/latest/"),
    });
    const guarded = createGuardedFetch({ allowPrivateNetwork: false, fetcher: net.fetcher });
    await expect(guarded("https://a.example/")).rejects.toThrow(/169\.254\.169\.254/);
    expect(net.seen.map((r) => r.url)).toEqual(["https://a.example/", "https://b.example/next"]);
    expect(net.seen.every((r) => r.redirect === "manual")).toBe(true);
  });

  it("follows relative redirects to the final response", async () => {
    const net = network({
      "https://a.example/start": () => redirect("/end", 301),
      "https://a.example/end": () => new Response("done"),
    });
    const guarded = createGuardedFetch({ allowPrivateNetwork: false, fetcher: net.fetcher });
    const res = await guarded("https://a.example/start");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("done");
  });

  it("stops after five redirects", async () => {
    const net = network({});
    const loop = async (request: Request) => {
      net.seen.push(request);
      return redirect(`${request.url}x`);
    };
    const guarded = createGuardedFetch({ allowPrivateNetwork: false, fetcher: loop });
    await expect(guarded("https://a.example/")).rejects.toThrow(/Too many redirects/);
    expect(net.seen).toHaveLength(6);
  });

  it("turns a POST into a GET on 303 and keeps method and body on 307", async () => {
    const net = network({
      "https://a.example/see-other": () => redirect("https://a.example/done", 303),
      "https://a.example/temp": () => redirect("https://a.example/done", 307),
      "https://a.example/done": () => new Response("ok"),
    });
    const guarded = createGuardedFetch({ allowPrivateNetwork: false, fetcher: net.fetcher });
    await guarded("https://a.example/see-other", { method: "POST", body: "payload" });
    expect(net.seen[1]?.method).toBe("GET");
    await guarded("https://a.example/temp", { method: "POST", body: "payload" });
    expect(net.seen[3]?.method).toBe("POST");
    expect(await net.seen[3]?.text()).toBe("payload");
  });

  it("drops the authorization header when a redirect leaves the origin", async () => {
    const net = network({
      "https://a.example/": () => redirect("https://b.example/"),
      "https://b.example/": () => new Response("ok"),
    });
    const guarded = createGuardedFetch({ allowPrivateNetwork: false, fetcher: net.fetcher });
    await guarded("https://a.example/", { headers: { authorization: "Bearer s3cret" } });
    expect(net.seen[0]?.headers.get("authorization")).toBe("Bearer s3cret");
    expect(net.seen[1]?.headers.get("authorization")).toBeNull();
  });

  it("returns the redirect itself when asked not to follow", async () => {
    const net = network({ "https://a.example/": () => redirect("http://127.0.0.1/") });
    const guarded = createGuardedFetch({ allowPrivateNetwork: false, fetcher: net.fetcher });
    const res = await guarded("https://a.example/", { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(net.seen).toHaveLength(1);
  });
});
