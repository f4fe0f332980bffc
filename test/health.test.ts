import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("health", () => {
  it("answers UP without a key", async () => {
    const res = await exports.default.fetch("http://local/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "UP" });
  });
});
