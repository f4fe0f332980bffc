// Webhook triggers (spec §9.3): GET|POST|PUT /api/v1/{tenant}/executions/webhook/{namespace}/{flowId}/{key},
// the one execution route without an API key (the trigger's key, compared in constant time, is
// the credential). The tenant's trigger object rations deliveries (429 + Retry-After) and maps a
// repeated Idempotency-Key to the first delivery's execution id for 24 hours; execution creation
// is idempotent per id, so concurrent repeats converge on one execution.
import type { Context } from "hono";
import { Hono } from "hono";
import { MIN_WEBHOOK_KEY_LENGTH } from "../../schema/flow/triggers";
import type { Trigger } from "../../schema/flow/types";
import { secretsEqual } from "../auth/keys";
import { getFlow } from "../db/flows";
import { conflict, DomainError, invalid, NotFound, notFound, TooLarge } from "../errors";
import { executionStub } from "../execution/object";
import { isTruthy, render } from "../expressions";
import { startExecution } from "../launch/start";
import { flowVars, triggerInputs, triggerLabels } from "../launch/trigger";
import { parseJsonWithin } from "../limits";
import { conditionsMet } from "../triggers/conditions";
import { triggersStub } from "../triggers/object";
import { WEBHOOK } from "../triggers/sync";
import { type AppEnv, dbOf } from "./context";
import { missesBlocked, recordMiss } from "./webhook-misses";

export const WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;
const WAIT_LIMIT_MS = 10 * 60_000;

async function readBody(c: Context<AppEnv>): Promise<unknown> {
  const tooLarge = () => new TooLarge(`Body exceeds ${WEBHOOK_MAX_BODY_BYTES} bytes`);
  if (Number(c.req.header("Content-Length") ?? "0") > WEBHOOK_MAX_BODY_BYTES) throw tooLarge();
  if (c.req.method === "GET") return null;
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > WEBHOOK_MAX_BODY_BYTES) throw tooLarge();
  if (bytes.byteLength === 0) return null;
  const text = new TextDecoder().decode(bytes);
  try {
    const parsed: unknown = parseJsonWithin(text, "body");
    // Objects and arrays are kept as JSON; anything else (a bare string, a number) stays raw text.
    if (parsed !== null && typeof parsed === "object") return parsed;
  } catch (e) {
    if (e instanceof DomainError) throw e;
    // Not JSON: the raw text.
  }
  return text;
}

function multimap(entries: Iterable<[string, string]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of entries) {
    const list = out[k] ?? [];
    list.push(v);
    out[k] = list;
  }
  return out;
}

/** The flow's Webhook trigger whose rendered key equals the one in the path; every candidate is compared. */
async function matchingTrigger(triggers: Trigger[], key: string, vars: Record<string, unknown>) {
  let found: Trigger | undefined;
  for (const t of triggers) {
    if (t.type !== WEBHOOK) continue;
    let expected: string;
    try {
      expected = (await render(String(t.key ?? ""), vars)).trim();
    } catch {
      continue;
    }
    // A key rendered from an expression is held to the same minimum as a written one.
    if (expected.length < MIN_WEBHOOK_KEY_LENGTH) continue;
    if ((await secretsEqual(key, expected)) && !found) found = t;
  }
  return found;
}

async function flag(value: unknown, vars: Record<string, unknown>): Promise<boolean> {
  if (typeof value === "boolean") return value;
  return typeof value === "string" ? isTruthy(await render(value, vars)) : false;
}

/** The trigger's `idempotencyKey` template, rendered against the delivery; empty means none. */
async function bodyIdempotencyKey(trigger: Trigger, vars: Record<string, unknown>): Promise<string | undefined> {
  if (typeof trigger.idempotencyKey !== "string") return undefined;
  try {
    return (await render(trigger.idempotencyKey, vars)).trim() || undefined;
  } catch (e) {
    throw invalid(`The webhook's idempotencyKey could not be rendered: ${e instanceof Error ? e.message : String(e)}`);
  }
}

type FoundFlow = NonNullable<Awaited<ReturnType<typeof getFlow>>>;

/**
 * Flows of recent deliveries, kept by this isolate so a busy webhook does not read D1 for each
 * one. The tenant's trigger object, asked on every delivery anyway, knows each trigger's current
 * revision and turns a delivery made with an older flow away before it takes anything.
 */
const recentFlows = new Map<string, FoundFlow>();
/** Counted in characters of the flows' sources, a stand-in for their size once parsed. */
const RECENT_FLOWS_BUDGET = 4 * 1024 * 1024;
let recentFlowsSize = 0;

function forget(key: string): void {
  const old = recentFlows.get(key);
  if (!old) return;
  recentFlows.delete(key);
  recentFlowsSize -= old.source.length;
}

/** Keeps the flow as the most recent; the least recent go while the budget is exceeded. */
function remember(key: string, found: FoundFlow): void {
  forget(key);
  if (found.source.length > RECENT_FLOWS_BUDGET / 4) return;
  recentFlows.set(key, found);
  recentFlowsSize += found.source.length;
  for (const oldest of recentFlows.keys()) {
    if (recentFlowsSize <= RECENT_FLOWS_BUDGET) break;
    forget(oldest);
  }
}

/** The client's address as the platform reports it (Cloudflare always does; wrangler dev too). */
function clientOf(c: Context<AppEnv>): string | undefined {
  return c.req.header("CF-Connecting-IP");
}

async function handle(c: Context<AppEnv>): Promise<Response> {
  // Hono answers HEAD with the GET route: a HEAD must not start an execution.
  if (c.req.method === "HEAD") return c.body(null, 405, { Allow: "GET, POST, PUT" });
  const tenantId = c.get("tenantId") ?? "";
  const client = clientOf(c);
  const wait = missesBlocked(tenantId, client);
  if (wait > 0) {
    return c.json({ message: "Too many webhook requests that matched nothing", code: "rate_limited" as const }, 429, {
      "Retry-After": String(wait),
    });
  }
  try {
    return await handleDelivery(c);
  } catch (e) {
    // Unknown tenant, flow, trigger or key: one answer, so that none of them can be told apart.
    if (e instanceof NotFound) {
      recordMiss(tenantId, client);
      throw notFound();
    }
    throw e;
  }
}

async function handleDelivery(c: Context<AppEnv>): Promise<Response> {
  const tenantId = c.get("tenantId");
  const { namespace = "", flowId = "" } = c.req.param();
  const cacheKey = JSON.stringify([tenantId, namespace, flowId]);
  const body = await readBody(c);
  const kept = recentFlows.get(cacheKey);
  if (kept) {
    const answer = await deliver(c, body, kept, true);
    if (answer) {
      recentFlows.delete(cacheKey);
      recentFlows.set(cacheKey, kept);
      return answer;
    }
    forget(cacheKey);
  }
  const found = await getFlow(dbOf(c), tenantId, namespace, flowId);
  if (!found) throw notFound();
  remember(cacheKey, found);
  return (await deliver(c, body, found, false))!;
}

/** Starts the delivery's execution; undefined when a kept flow turned out older than the trigger's. */
async function deliver(
  c: Context<AppEnv>,
  body: unknown,
  found: FoundFlow,
  kept: boolean,
): Promise<Response | undefined> {
  const tenantId = c.get("tenantId");
  const { namespace = "", flowId = "", key = "" } = c.req.param();
  const fv = flowVars(tenantId, found.flow, found.revision);
  const trigger = await matchingTrigger(found.flow.triggers ?? [], key, { flow: fv });
  if (!trigger || trigger.disabled) {
    if (kept) return undefined;
    throw notFound();
  }
  // Only a caller holding the key learns that the flow is disabled.
  if (found.disabled) {
    if (kept) return undefined;
    throw conflict("Cannot execute a disabled flow");
  }

  const url = new URL(c.req.url);
  const variables = {
    body,
    headers: multimap(c.req.raw.headers.entries()),
    parameters: multimap(url.searchParams.entries()),
  };
  const vars = { flow: fv, trigger: variables };
  const met = await conditionsMet(trigger.conditions, { vars });
  // A kept flow's conditions may be older than the trigger's: only the stored flow may turn a delivery away.
  if (!met.met) return kept ? undefined : c.body(null, 204);

  const admission = await triggersStub(c.env, tenantId).admitWebhook(
    tenantId,
    { namespace, flowId, triggerId: trigger.id },
    c.req.header("Idempotency-Key") || (await bodyIdempotencyKey(trigger, vars)),
    kept ? found.revision : undefined,
  );
  if (admission.kind === "stale") return undefined;
  if (admission.kind === "disabled") throw notFound();
  if (admission.kind === "limited") {
    return c.json({ message: "Too many webhook deliveries for this tenant", code: "rate_limited" as const }, 429, {
      "Retry-After": String(admission.retryAfterSeconds),
    });
  }
  const created = await startExecution(c.env, {
    id: admission.executionId,
    tenantId,
    flow: found.flow,
    revision: found.revision,
    inputs: await triggerInputs(found.flow, trigger, vars),
    labels: triggerLabels(trigger),
    trigger: { id: trigger.id, type: trigger.type, variables },
  });
  const wait = await flag(trigger.wait, vars);
  const ended = wait
    ? ((await executionStub(c.env, tenantId, created.id).waitForEnd(WAIT_LIMIT_MS)) ?? created)
    : created;
  if (wait && (await flag(trigger.returnOutputs, vars))) return c.json(ended.outputs ?? {}, 200);
  return c.json(
    {
      tenantId,
      id: ended.id,
      namespace: ended.namespace,
      flowId: ended.flowId,
      flowRevision: ended.flowRevision,
      trigger: ended.trigger,
      outputs: ended.outputs,
      labels: ended.labels,
      state: ended.state,
      url: `${url.origin}/ui/${tenantId}/executions/${namespace}/${flowId}/${ended.id}`,
    },
    200,
  );
}

export const webhooks = new Hono<AppEnv>()
  .get("/:namespace/:flowId/:key", handle)
  .post("/:namespace/:flowId/:key", handle)
  .put("/:namespace/:flowId/:key", handle);
