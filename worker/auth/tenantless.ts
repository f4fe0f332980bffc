// Kestra 0.21's paths carry no tenant: `/api/v1/flows/…`, `/api/v1/executions/…`. The router sees
// them with a tenant segment put in, so every route exists once: with an API key the segment is
// KEY_TENANT (the middleware reads it as the key's own tenant); the tenant-less webhook gets the
// configured DEFAULT_WEBHOOK_TENANT, or KEY_TENANT when none is, which the middleware refuses.
import { getPath } from "hono/utils/url";

/** The first segments of tenant routes (`/api/v1/{tenant}/{resource}/…`); none of them can be a tenant id. */
export const TENANT_RESOURCES: ReadonlySet<string> = new Set([
  "flows",
  "executions",
  "taskruns",
  "logs",
  "metrics",
  "namespaces",
  "triggers",
  "api-keys",
  "settings",
  "login-codes",
]);

/** Stands for "the tenant of the API key"; not a valid tenant id, so never a real tenant. */
export const KEY_TENANT = "~";

const PREFIX = "/api/v1/";

/** The path the router matches: the request's, with a tenant segment put into a tenant-less API path. */
export function routingPath(request: Request, options?: { env?: unknown }): string {
  const path = getPath(request);
  if (!path.startsWith(PREFIX)) return path;
  const end = path.indexOf("/", PREFIX.length);
  const first = path.slice(PREFIX.length, end === -1 ? undefined : end);
  if (!TENANT_RESOURCES.has(first)) return path;
  const rest = path.slice(PREFIX.length);
  const tenant = rest.startsWith("executions/webhook/") ? defaultWebhookTenant(options?.env) : KEY_TENANT;
  return `${PREFIX}${tenant}/${rest}`;
}

function defaultWebhookTenant(env: unknown): string {
  const configured = (env as Partial<Env> | undefined)?.DEFAULT_WEBHOOK_TENANT;
  return configured?.trim() || KEY_TENANT;
}
