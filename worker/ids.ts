// Kestra-looking ids: 22 base62 characters from 128 bits, random or derived.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * The first 16 bytes as a 128-bit number in 22 base62 digits, most significant first. Long division
 * by 62 over four 32-bit limbs (a remainder times 2^32 stays exact in a double): every task run gets
 * an id, and BigInt arithmetic, or division byte by byte, cost more than the rest of creating one.
 */
export function base62(bytes: Uint8Array): string {
  const limbs = [0, 4, 8, 12].map(
    (i) => ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0,
  );
  return fromLimbs(limbs);
}

function fromLimbs(limbs: number[]): string {
  const digits = new Array<string>(22);
  for (let i = 21; i >= 0; i--) {
    let rest = 0;
    for (let j = 0; j < 4; j++) {
      const acc = rest * 0x1_0000_0000 + limbs[j]!;
      const quotient = Math.floor(acc / 62);
      limbs[j] = quotient;
      rest = acc - quotient * 62;
    }
    digits[i] = ALPHABET[rest]!;
  }
  return digits.join("");
}

/** Random words drawn a few hundred ids at a time: one call into the runtime per call costs more than the id. */
const pool = new Uint32Array(1024);
let drawn = pool.length;

export function newId(): string {
  if (drawn + 4 > pool.length) {
    crypto.getRandomValues(pool);
    drawn = 0;
  }
  const id = fromLimbs([pool[drawn]!, pool[drawn + 1]!, pool[drawn + 2]!, pool[drawn + 3]!]);
  drawn += 4;
  return id;
}

/** A stable id derived from another: creating "the same" execution twice yields the same id. */
export async function derivedId(from: string, purpose: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${from}:${purpose}`));
  return base62(new Uint8Array(digest));
}
