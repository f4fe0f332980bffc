// What a URI input accepts: an absolute URI (RFC 3986 `scheme ":" hier-part ["?" query]
// ["#" fragment]`), written with the characters the RFC allows. Schemes that name a server
// (http, https, ftp, ws, wss) also need one: `http:/x` or `https://` are refused, as in Kestra.

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
/** unreserved / reserved / `%`; percent signs are checked apart. */
const URI_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;
const PERCENT = /%(?![0-9A-Fa-f]{2})/;
const SERVER_SCHEMES = new Set(["http", "https", "ftp", "ws", "wss"]);
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)$/;

export function isAbsoluteUri(value: string): boolean {
  const colon = value.indexOf(":");
  if (colon <= 0) return false;
  const scheme = value.slice(0, colon);
  const rest = value.slice(colon + 1);
  if (!SCHEME.test(scheme) || rest === "" || !URI_CHARS.test(rest) || PERCENT.test(rest)) return false;
  const hash = rest.indexOf("#");
  if (hash >= 0 && rest.indexOf("#", hash + 1) >= 0) return false;
  const beforeQuery = rest.split(/[?#]/, 1)[0] ?? "";
  if (beforeQuery === "" && rest.startsWith("?")) return false;
  if (!beforeQuery.startsWith("//")) {
    // No authority: brackets belong only to an IPv6 host.
    return !SERVER_SCHEMES.has(scheme.toLowerCase()) && !/[[\]]/.test(beforeQuery) && beforeQuery !== "";
  }
  const slash = beforeQuery.indexOf("/", 2);
  const authority = slash < 0 ? beforeQuery.slice(2) : beforeQuery.slice(2, slash);
  const path = slash < 0 ? "" : beforeQuery.slice(slash);
  if (/[[\]]/.test(path)) return false;
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  const portAt = hostPort.startsWith("[") ? hostPort.indexOf("]:") + 1 : hostPort.lastIndexOf(":");
  const host = portAt > 0 ? hostPort.slice(0, portAt) : hostPort;
  const port = portAt > 0 ? hostPort.slice(portAt + 1) : "";
  if (!HOST.test(host) || !/^\d*$/.test(port)) return false;
  if (SERVER_SCHEMES.has(scheme.toLowerCase()) && host === "") return false;
  // `file:///x`, `kestra:///x`: an empty authority needs a path.
  return host !== "" || path !== "";
}
