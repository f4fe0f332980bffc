// Dashboard sessions: the cookie that carries one, and the CSRF rule for requests it authenticates.
//
// The token is 256 random bits; D1 keeps only its SHA-256. The cookie is HttpOnly (no script reads
// it, so an XSS cannot carry it away), SameSite=Strict (no other site's page sends it) and Secure,
// with the `__Host-` prefix (no Domain, Path=/), except on plain-http loopback (`npm start` on
// 127.0.0.1/localhost): Safari and older browsers drop Secure cookies on http even for loopback,
// and that traffic never leaves the machine. Anywhere else Secure is always set.
//
// CSRF: a request authenticated by the cookie that may change something must carry the custom
// header below. A cross-site form cannot set headers, and a cross-site fetch with one needs a CORS
// preflight this API never grants; SameSite=Strict is the second wall.
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { generateApiKey, sha256Hex } from "./keys";

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const LOGIN_CODE_TTL_MS = 12 * 60 * 60 * 1000;
export const CSRF_HEADER = "X-Peregrine-Csrf";
const SECURE_NAME = "__Host-pgr_session";
const LOOPBACK_NAME = "pgr_session";
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const isMutating = (method: string): boolean => !SAFE_METHODS.has(method.toUpperCase());

/** Whether this request came over plain http to a loopback host, where the cookie cannot be Secure. */
export function isPlainLoopback(url: string): boolean {
  const u = new URL(url);
  return u.protocol === "http:" && LOOPBACK_HOSTS.has(u.hostname);
}

/** A fresh random token (same shape as a key, different use). */
export const newToken = (): string => generateApiKey().slice(4);

export const tokenHash = sha256Hex;

export function readSessionCookie(c: Context): string | undefined {
  return getCookie(c, SECURE_NAME) ?? getCookie(c, LOOPBACK_NAME);
}

export function writeSessionCookie(c: Context, token: string, expiresAt: Date): void {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  if (isPlainLoopback(c.req.url)) {
    setCookie(c, LOOPBACK_NAME, token, { path: "/", httpOnly: true, sameSite: "Strict", maxAge });
  } else {
    setCookie(c, SECURE_NAME, token, { path: "/", httpOnly: true, secure: true, sameSite: "Strict", maxAge });
  }
}

export function clearSessionCookie(c: Context): void {
  if (isPlainLoopback(c.req.url)) deleteCookie(c, LOOPBACK_NAME, { path: "/" });
  else deleteCookie(c, SECURE_NAME, { path: "/", secure: true });
}

/** The CSRF header must be present with the value "1" (its presence is what a cross-site page cannot fake). */
export const hasCsrfHeader = (c: Context): boolean => c.req.header(CSRF_HEADER) === "1";
