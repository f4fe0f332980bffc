// Encryption of secret values at rest: AES-256-GCM (WebCrypto) under the Worker's SECRETS_KEY, a
// fresh random IV per value, and additional data naming where the value belongs (tenant/namespace/
// key for a stored secret, tenant/execution/input for a SECRET input) so that a ciphertext copied
// to another row (or tenant, or execution) fails to decrypt instead of revealing its value there.
import { DomainError } from "../errors";

/** SECRETS_KEY is missing or malformed: an operator's fault, said plainly rather than "Internal error". */
export class SecretsUnavailable extends DomainError {
  override readonly name = "SecretsUnavailable";
  readonly code = "internal";
}

export interface Sealed {
  ciphertext: string;
  iv: string;
}

const keys = new Map<string, Promise<CryptoKey>>();

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The imported key, cached per isolate; a missing or malformed SECRETS_KEY is reported plainly. */
export function secretsKey(env: { SECRETS_KEY?: string }): Promise<CryptoKey> {
  const encoded = env.SECRETS_KEY?.trim();
  if (!encoded) throw new SecretsUnavailable("Secrets are not configured: SECRETS_KEY is not set");
  let cached = keys.get(encoded);
  if (!cached) {
    let raw: Uint8Array<ArrayBuffer>;
    try {
      raw = fromBase64(encoded);
    } catch {
      throw new SecretsUnavailable("SECRETS_KEY is not valid base64");
    }
    if (raw.byteLength !== 32) throw new SecretsUnavailable("SECRETS_KEY must decode to 32 bytes");
    cached = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    keys.set(encoded, cached);
  }
  return cached;
}

function additionalData(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(new TextEncoder().encode(text));
}

/** The additional data of a stored secret: it binds the ciphertext to its tenant, namespace and key. */
const secretAad = (where: { tenantId: string; namespace: string; key: string }) =>
  `${where.tenantId}/${where.namespace}/${where.key}`;

export function seal(
  cryptoKey: CryptoKey,
  where: { tenantId: string; namespace: string; key: string },
  plaintext: string,
): Promise<Sealed> {
  return sealWith(cryptoKey, secretAad(where), plaintext);
}

/** Throws when the ciphertext was altered, moved to another tenant/namespace/key or sealed under another key. */
export function open(
  cryptoKey: CryptoKey,
  where: { tenantId: string; namespace: string; key: string },
  sealed: Sealed,
): Promise<string> {
  return openWith(cryptoKey, secretAad(where), sealed);
}

/** Seals `plaintext` bound to `aad`: only the same `aad` opens it again. */
export async function sealWith(cryptoKey: CryptoKey, aad: string, plaintext: string): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const encrypted = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: additionalData(aad) },
    cryptoKey,
    new TextEncoder().encode(plaintext),
  );
  return { ciphertext: toBase64(new Uint8Array(encrypted)), iv: toBase64(iv) };
}

export async function openWith(cryptoKey: CryptoKey, aad: string, sealed: Sealed): Promise<string> {
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(sealed.iv), additionalData: additionalData(aad) },
    cryptoKey,
    fromBase64(sealed.ciphertext),
  );
  return new TextDecoder().decode(plain);
}

/** Every value of `sealed`, each opened under its own additional data and parsed back from JSON. */
export async function openAll(
  env: { SECRETS_KEY?: string },
  sealed: Record<string, Sealed>,
  aadOf: (id: string) => string,
): Promise<Map<string, unknown>> {
  const key = await secretsKey(env);
  const out = new Map<string, unknown>();
  for (const [id, value] of Object.entries(sealed)) out.set(id, JSON.parse(await openWith(key, aadOf(id), value)));
  return out;
}

/**
 * `open()` once per `owner` (an execution, a task run's sealed record): renders read the values
 * many times. A failure (SECRETS_KEY missing or changed) is not kept, so the next call tries again.
 */
export function openOnce<K extends object>(
  cache: WeakMap<K, Promise<Map<string, unknown>>>,
  owner: K,
  open: () => Promise<Map<string, unknown>>,
): Promise<Map<string, unknown>> {
  let values = cache.get(owner);
  if (!values) {
    values = open();
    values.catch(() => cache.delete(owner));
    cache.set(owner, values);
  }
  return values;
}
