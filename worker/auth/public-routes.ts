// Default deny: the only requests that reach a handler without an API key. Anything not listed
// here needs `Authorization: Bearer <key>` or a dashboard session cookie, and either only opens
// its own tenant's paths.

import { TENANT_RESOURCES } from "./tenantless";

export interface PublicRoute {
  /** `:name` matches one path segment; a trailing `*` matches the rest. */
  path: string;
  /** Undefined: every method. */
  methods?: readonly string[];
  why: string;
}

export const PUBLIC_ROUTES: readonly PublicRoute[] = [
  { path: "/health", methods: ["GET", "HEAD"], why: "liveness probe" },
  {
    path: "/api/v1/:tenant/executions/webhook/:namespace/:flowId/:key",
    why: "webhook triggers; the trigger's own key authenticates the caller",
  },
  {
    path: "/api/v1/openapi.json",
    methods: ["GET", "HEAD"],
    why: "the API's description: the same for every tenant, generated from the code, no tenant data",
  },
  { path: "/api/v1/docs", methods: ["GET", "HEAD"], why: "the API reference page rendered from that description" },
  { path: "/api/v1/operator/*", why: "operator endpoints, guarded by OPERATOR_SECRET instead" },
  {
    path: "/api/v1/auth/session",
    methods: ["GET", "POST", "DELETE"],
    why: "dashboard sign-in: exchanges an API key or one-time code for a session cookie, reads or ends it",
  },
];

/** Where tenant-scoped routes live: `/api/v1/{tenant}/…`. */
export const TENANT_PATH = /^\/api\/v1\/([^/]+)(?:\/|$)/;

/** Tenant ids that would collide with non-tenant paths under /api/v1. */
export const RESERVED_TENANT_IDS: ReadonlySet<string> = new Set([
  "operator",
  "auth",
  "docs",
  "openapi.json",
  ...TENANT_RESOURCES,
]);

function matches(pattern: string, path: string): boolean {
  const want = pattern.split("/");
  const got = path.split("/");
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    if (w === "*" && i === want.length - 1) return got.length > i;
    const g = got[i];
    if (g === undefined) return false;
    if (w?.startsWith(":") ? g === "" : w !== g) return false;
  }
  return got.length === want.length;
}

/** Paths the dashboard's static files own: everything outside /api and /health. */
export const isStaticPath = (path: string): boolean =>
  path !== "/health" && path !== "/api" && !path.startsWith("/api/");

/** Whether an API request may reach its handler without a key. */
export function isPublicRoute(method: string, path: string): boolean {
  const m = method.toUpperCase();
  return PUBLIC_ROUTES.some((r) => (!r.methods || r.methods.includes(m)) && matches(r.path, path));
}
