// Secret sealing and masking at the module level.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { open, SecretsUnavailable, seal, secretsKey } from "../../worker/secrets/crypto";
import { MASK, SecretMasker } from "../../worker/secrets/masker";
import { namespaceChain } from "../../worker/secrets/store";

/** The test binding (vitest.config.ts); the global Env type declares it, the test env type does not. */
const keyEnv = { SECRETS_KEY: (env as Partial<Env>).SECRETS_KEY };
const where = { tenantId: "t1", namespace: "company.team", key: "DB_PASSWORD" };

describe("secret sealing", () => {
  it("round-trips, with a fresh IV each time, and the ciphertext does not contain the value", async () => {
    const key = await secretsKey(keyEnv);
    const a = await seal(key, where, "hunter2-hunter2");
    const b = await seal(key, where, "hunter2-hunter2");
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.ciphertext).not.toContain("hunter2");
    expect(atob(a.ciphertext)).not.toContain("hunter2");
    expect(await open(key, where, a)).toBe("hunter2-hunter2");
  });

  it("fails to open a ciphertext moved to another tenant, namespace or key", async () => {
    const key = await secretsKey(keyEnv);
    const sealed = await seal(key, where, "value");
    await expect(open(key, { ...where, tenantId: "t2" }, sealed)).rejects.toThrow();
    await expect(open(key, { ...where, namespace: "company" }, sealed)).rejects.toThrow();
    await expect(open(key, { ...where, key: "OTHER" }, sealed)).rejects.toThrow();
  });

  it("reports a missing or malformed SECRETS_KEY plainly", () => {
    expect(() => secretsKey({})).toThrow(SecretsUnavailable);
    expect(() => secretsKey({ SECRETS_KEY: btoa("short") })).toThrow("32 bytes");
  });

  it("looks a namespace up nearest first", () => {
    expect(namespaceChain("a.b.c")).toEqual(["a.b.c", "a.b", "a"]);
    expect(namespaceChain("solo")).toEqual(["solo"]);
  });
});

describe("SecretMasker", () => {
  it("masks revealed values in text and nested values, longest first and JSON-escaped forms too", () => {
    const masker = new SecretMasker();
    expect(masker.maskDeep({ a: "s3cret" })).toEqual({ a: "s3cret" });
    masker.reveal("s3cret");
    masker.reveal("s3cret-longer");
    masker.reveal('quo"te');
    expect(masker.mask("x s3cret-longer y s3cret")).toBe(`x ${MASK} y ${MASK}`);
    expect(masker.mask('{"v":"quo\\"te"}')).toBe(`{"v":"${MASK}"}`);
    const input = { list: ["s3cret", 1, null], nested: { "key-s3cret": "ok s3cret" } };
    expect(masker.maskDeep(input)).toEqual({ list: [MASK, 1, null], nested: { [`key-${MASK}`]: `ok ${MASK}` } });
    expect(input.list[0]).toBe("s3cret");
  });
});
