// API key material: generation, the stored hash and the visible prefix, and constant-time checks.
// scripts/start.mjs mints keys in Node with the same format; keep the two in step.

export const KEY_SCHEME = "pgr_";
/** How much of a key is stored in clear: enough to find the row and to recognise the key in a list. */
export const VISIBLE_PREFIX_LENGTH = 12;
const KEY_PATTERN = /^pgr_[A-Za-z0-9_-]{43}$/;

const toBase64Url = (bytes: Uint8Array): string => {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const toHex = (buffer: ArrayBuffer): string =>
  Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");

/** A fresh key: 256 random bits, `pgr_` + 43 base64url characters. */
export function generateApiKey(): string {
  return KEY_SCHEME + toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

export const isWellFormedKey = (key: string): boolean => KEY_PATTERN.test(key);

export const visiblePrefix = (key: string): string => key.slice(0, VISIBLE_PREFIX_LENGTH);

export async function sha256Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** Compares two hex digests of equal length without an early exit. */
export function digestsEqual(a: string, b: string): boolean {
  const enc = new TextEncoder();
  const x = enc.encode(a);
  const y = enc.encode(b);
  if (x.byteLength !== y.byteLength) return false;
  return crypto.subtle.timingSafeEqual(x, y);
}

/** Constant-time equality of two secrets of any length: their digests are compared, not the secrets. */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [x, y] = await Promise.all([sha256Hex(given), sha256Hex(expected)]);
  return digestsEqual(x, y);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1];
}
