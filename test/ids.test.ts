// Ids: 22 base62 characters of a 128-bit number, the same encoding whatever arithmetic computes it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base62, derivedId, newId } from "../worker/ids";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** The plain definition, with BigInt: what every id so far was made with. */
function byBigInt(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes.subarray(0, 16)) n = (n << 8n) | BigInt(b);
  let id = "";
  for (let i = 0; i < 22; i++) {
    id = ALPHABET[Number(n % 62n)] + id;
    n /= 62n;
  }
  return id;
}

describe("ids", () => {
  it("encode any 16 bytes exactly as the BigInt definition does", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 32 }), (bytes) => {
        expect(base62(bytes)).toBe(byBigInt(bytes));
      }),
      { numRuns: 2000 },
    );
    expect(base62(new Uint8Array(16).fill(255))).toBe(byBigInt(new Uint8Array(16).fill(255)));
    expect(base62(new Uint8Array(16))).toBe("0".repeat(22));
  });

  it("are 22 base62 characters, random or derived (and derived ones are stable)", async () => {
    expect(newId()).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(newId()).not.toBe(newId());
    expect(await derivedId("x", "retry")).toBe(await derivedId("x", "retry"));
    expect(await derivedId("x", "retry")).not.toBe(await derivedId("x", "other"));
  });

  it("stay distinct and well formed across many refills of the random pool", () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    expect(new Set(ids).size).toBe(5000);
    for (const id of ids) expect(id).toMatch(/^[0-9A-Za-z]{22}$/);
    // Every leading digit is used: the ids span the whole 128-bit range, not just the pool's first words.
    expect(new Set(ids.map((id) => id[0])).size).toBeGreaterThan(3);
  });
});
