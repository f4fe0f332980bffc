// The only way a task reaches the network: `fetch` that refuses private, loopback, link-local,
// metadata and other non-public destinations (SSRF guard) and follows redirects itself so that
// every hop is checked again.
//
// Limitation: a Worker cannot resolve DNS before `fetch`, so a public name that resolves to a
// private address is not caught here. Cloudflare's egress does not route to RFC 1918 space or
// to the platform's own metadata, which covers that gap in production; literal addresses in any
// spelling (decimal, octal, hex, IPv4-mapped IPv6), well-known internal names, dotless names and
// the public names known to resolve to private addresses (knownPrivateName) are refused.
import { DomainError } from "../errors";

export { parseDurationMs } from "../tasks/duration";

export class RefusedUrlError extends DomainError {
  override readonly name = "RefusedUrlError";
  readonly code = "invalid";
}

export interface GuardedFetchOptions {
  allowPrivateNetwork: boolean;
  /** The network underneath; `globalThis.fetch` unless given (tests give a recording one). */
  fetcher?: (request: Request) => Promise<Response>;
  maxRedirects?: number;
}

export type GuardedFetch = (url: string, init?: RequestInit) => Promise<Response>;

const BLOCKED_NAMES = new Set(["localhost", "metadata.google.internal", "metadata", "instance-data"]);

// [first address, prefix length] of every IPv4 block that is not the public internet.
const BLOCKED_V4: [string, number][] = [
  ["0.0.0.0", 8], // "this network", incl. the unspecified address
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, incl. cloud metadata 169.254.169.254
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved and broadcast
];

function v4ToInt(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

function isBlockedV4(n: number): boolean {
  return BLOCKED_V4.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    const start = v4ToInt(base) ?? 0;
    return n >= start && n < start + size;
  });
}

/** The 8 hextets of an IPv6 literal (without brackets), or null when it is not one. */
function parseV6(text: string): number[] | null {
  let s = text.toLowerCase();
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  const maybeV4 = s.slice(lastColon + 1);
  if (maybeV4.includes(".")) {
    const n = v4ToInt(maybeV4);
    if (n === null) return null;
    tail = [Math.floor(n / 65536), n % 65536];
    s = `${s.slice(0, lastColon + 1)}0:0`; // placeholder groups, replaced by the IPv4 part below
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const read = (h: string | undefined): number[] | null => {
    if (!h) return [];
    const out: number[] = [];
    for (const g of h.split(":")) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const head = read(halves[0]);
  const rest = halves.length === 2 ? read(halves[1]) : [];
  if (!head || !rest) return null;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest];
  if (tail.length) groups.splice(6, 2, tail[0] ?? 0, tail[1] ?? 0);
  return groups;
}

function isBlockedV6(g: number[]): boolean {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, h = 0, i = 0] = g;
  const embedded = h * 65536 + i;
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(8)) return true; // ::
  if (zeroTo(7) && i === 1) return true; // ::1
  if (zeroTo(5) && f === 0xffff) return isBlockedV4(embedded); // IPv4-mapped
  if (zeroTo(6)) return isBlockedV4(embedded); // IPv4-compatible (deprecated)
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) {
    return isBlockedV4(embedded); // NAT64
  }
  if (a === 0x2002) return isBlockedV4(b * 65536 + c); // 6to4
  if ((a & 0xffc0) === 0xfe80) return true; // link-local
  if ((a & 0xffc0) === 0xfec0) return true; // site-local (deprecated)
  if ((a & 0xfe00) === 0xfc00) return true; // unique-local
  if ((a & 0xff00) === 0xff00) return true; // multicast
  return false;
}

/** Public DNS names that answer a loopback address for themselves and every name under them. */
const LOOPBACK_DOMAINS = ["localtest.me", "lvh.me", "vcap.me", "lacolhost.com", "fuf.me"];
/** Services whose names embed the address they resolve to (10.0.0.1.nip.io, 10-0-0-1.sslip.io). */
const ADDRESS_DOMAINS = ["nip.io", "sslip.io", "xip.io", "traefik.me", "backname.io", "local.gd"];

/**
 * A Worker cannot resolve a name before fetching it, so the names known to resolve to private
 * addresses are read here: the loopback wildcard domains, names embedding a private address, and
 * names without a dot (they resolve only through a local hosts file or search domain).
 */
function knownPrivateName(host: string): string | null {
  if (host.startsWith("[") || v4ToInt(host) !== null) return null;
  if (!host.includes(".")) return `host '${host}' is not a public name`;
  const under = (domain: string) => host === domain || host.endsWith(`.${domain}`);
  if (LOOPBACK_DOMAINS.some(under)) return `host '${host}' resolves to a loopback address`;
  const service = ADDRESS_DOMAINS.find(under);
  if (service) {
    const label = host.slice(0, -(service.length + 1));
    const dotted = /(\d{1,3})[.-](\d{1,3})[.-](\d{1,3})[.-](\d{1,3})$/.exec(label);
    const v4 = dotted ? v4ToInt(dotted.slice(1).join(".")) : null;
    if (v4 === null || isBlockedV4(v4)) return `host '${host}' resolves to an address that is not public`;
  }
  return null;
}

/** Why a URL may not be fetched, or null when it may. */
export function refusalReason(url: URL, allowPrivateNetwork: boolean): string | null {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `only http and https URLs may be fetched, not '${url.protocol}'`;
  }
  if (allowPrivateNetwork) return null;
  // WHATWG URL parsing already turns 2130706433, 0x7f.1 and 0177.0.0.1 into dotted decimal.
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (BLOCKED_NAMES.has(host) || host.endsWith(".localhost")) {
    return `host '${host}' is internal`;
  }
  const resolvesPrivate = knownPrivateName(host);
  if (resolvesPrivate) return resolvesPrivate;
  const v4 = v4ToInt(host);
  if (v4 !== null) return isBlockedV4(v4) ? `address ${host} is not public` : null;
  if (host.startsWith("[") && host.endsWith("]")) {
    const v6 = parseV6(host.slice(1, -1));
    if (!v6) return `address ${host} cannot be read`;
    return isBlockedV6(v6) ? `address ${host} is not public` : null;
  }
  return null;
}

function check(url: URL, allowPrivateNetwork: boolean): void {
  const reason = refusalReason(url, allowPrivateNetwork);
  if (reason) throw new RefusedUrlError(`Refused to fetch ${url.href}: ${reason}`);
}

export function createGuardedFetch(options: GuardedFetchOptions): GuardedFetch {
  const maxRedirects = options.maxRedirects ?? 5;
  const fetcher = options.fetcher ?? ((request: Request) => fetch(request));
  return async (url, init = {}) => {
    let current: URL;
    try {
      current = new URL(url);
    } catch {
      throw new RefusedUrlError(`Invalid URL '${url}'`);
    }
    const mode = init.redirect ?? "follow";
    let method = (init.method ?? "GET").toUpperCase();
    let body = init.body ?? null;
    const headers = new Headers(init.headers);
    for (let hop = 0; ; hop++) {
      check(current, options.allowPrivateNetwork);
      const response = await fetcher(new Request(current.href, { ...init, method, headers, body, redirect: "manual" }));
      const location = response.headers.get("location");
      if (mode === "manual" || response.status < 300 || response.status > 399 || location === null) {
        return response;
      }
      if (mode === "error") throw new TypeError(`Redirect refused for ${current.href}`);
      if (hop >= maxRedirects) throw new RefusedUrlError(`Too many redirects (more than ${maxRedirects}) from ${url}`);
      await response.body?.cancel();
      const next = new URL(location, current);
      // As browsers do: 303, and 301/302 after a POST, continue as a GET without a body.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        if (method !== "HEAD") method = "GET";
        body = null;
        headers.delete("content-type");
        headers.delete("content-length");
      } else if (body instanceof ReadableStream) {
        throw new RefusedUrlError(
          `Cannot replay a streamed body on a ${response.status} redirect from ${current.href}`,
        );
      }
      // Credentials are meant for the origin they were given for.
      if (next.origin !== current.origin) {
        headers.delete("authorization");
        headers.delete("cookie");
      }
      current = next;
    }
  };
}
