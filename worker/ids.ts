// Kestra-looking ids: 22 base62 characters from 128 bits, random or derived.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * The first 16 bytes as a 128-bit number in 22 base62 digits, most significant first. Long division
 * of the bytes by 62, digit by digit: every task run gets an id, and BigInt arithmetic cost more
 * than the rest of creating one.
 */
export function base62(bytes: Uint8Array): string {
  const digits = Array.from(bytes.subarray(0, 16));
  let id = "";
  for (let i = 0; i < 22; i++) {
    let rest = 0;
    for (let j = 0; j < digits.length; j++) {
      const acc = rest * 256 + digits[j]!;
      digits[j] = Math.floor(acc / 62);
      rest = acc % 62;
    }
    id = ALPHABET[rest] + id;
  }
  return id;
}

export function newId(): string {
  return base62(crypto.getRandomValues(new Uint8Array(16)));
}

/** A stable id derived from another: creating "the same" execution twice yields the same id. */
export async function derivedId(from: string, purpose: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${from}:${purpose}`));
  return base62(new Uint8Array(digest));
}
