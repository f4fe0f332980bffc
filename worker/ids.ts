// Kestra-looking ids: 22 base62 characters from 128 bits, random or derived.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function base62(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes.subarray(0, 16)) n = (n << 8n) | BigInt(b);
  let id = "";
  for (let i = 0; i < 22; i++) {
    id = ALPHABET[Number(n % 62n)] + id;
    n /= 62n;
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
