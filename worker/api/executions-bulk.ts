// Kestra's bulk execution actions, by ids (a JSON list in the body) and by query (the search's
// filters): kill, restart, replay, delete and labels. Each execution is handled on its own, and the
// answer says what happened to each: `{count, results: [{id, ok, status, message?}]}`, where
// `count` (Kestra's BulkResponse) is how many succeeded. A by-query call with no filter is refused,
// so an empty query never means "every execution".
import type { Context } from "hono";
import { Hono } from "hono";
import * as z from "zod";
import { type ExecutionFilter, searchExecutions } from "../db/executions";
import { STATES, type StateType } from "../engine/types";
import { DomainError, invalid } from "../errors";
import { type ControlOutcome, executionStub } from "../execution/object";
import { restartWithinLimits } from "../launch/limits";
import { type AppEnv, dbOf } from "./context";
import { revisionQuery } from "./execution-start";
import { labelList } from "./executions-extra";
import { parseLabels } from "./query";
import { replayExecution } from "./replay";

/** A bulk call handles at most this many executions; a query matching more is refused. */
export const MAX_BULK = 1000;

const STATUS = { not_found: 404, conflict: 409, invalid: 422 } as const;

interface Outcome {
  id: string;
  ok: boolean;
  status: number;
  message?: string;
  /** A replay's new execution. */
  executionId?: string;
}

export const idList = z.array(z.string().min(1)).max(MAX_BULK);
export const labelsByIds = z.object({ executionsId: idList, executionLabels: labelList });

async function jsonBody(c: Context<AppEnv>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw invalid("The body must be JSON", { field: "body" });
  }
}

function parseState(value: string): StateType {
  const state = value.toUpperCase();
  if (!(STATES as readonly string[]).includes(state)) throw invalid(`Unknown state '${value}'`, { field: "state" });
  return state as StateType;
}

/** The executions a by-query call names; at least one filter, at most MAX_BULK matches. */
async function idsOfQuery(c: Context<AppEnv>): Promise<string[]> {
  const q = c.req.query();
  const filter: ExecutionFilter = {
    page: 1,
    size: MAX_BULK,
    q: q.q || undefined,
    namespace: q.namespace || undefined,
    flowId: q.flowId || undefined,
    states: c.req.queries("state")?.filter(Boolean).map(parseState),
    startDate: q.startDate || undefined,
    endDate: q.endDate || undefined,
    labels: parseLabels(c.req.queries("labels")?.filter(Boolean)),
    triggerExecutionId: q.triggerExecutionId || undefined,
  };
  const { page: _p, size: _s, ...filters } = filter;
  const given = Object.values(filters).some((v) => (Array.isArray(v) ? v.length > 0 : v !== undefined));
  if (!given) {
    throw invalid(
      "A by-query action needs at least one filter (q, namespace, flowId, state, startDate, endDate, labels, triggerExecutionId)",
      { field: "query" },
    );
  }
  const found = await searchExecutions(dbOf(c), c.get("tenantId"), filter);
  if (found.total > MAX_BULK) {
    throw invalid(`The query matches ${found.total} executions; a bulk action takes at most ${MAX_BULK}`, {
      field: "query",
    });
  }
  return found.results.map((e) => (e as { id: string }).id);
}

async function each(ids: string[], act: (id: string) => Promise<Omit<Outcome, "id">>): Promise<Outcome[]> {
  const unique = [...new Set(ids)];
  const results: Outcome[] = [];
  // A few at a time: each is a call to its own Durable Object.
  for (let i = 0; i < unique.length; i += 20) {
    const chunk = unique.slice(i, i + 20);
    results.push(
      ...(await Promise.all(
        chunk.map(async (id) => {
          try {
            return { id, ...(await act(id)) };
          } catch (e) {
            if (e instanceof DomainError && e.code in STATUS) {
              return { id, ok: false, status: STATUS[e.code as keyof typeof STATUS], message: e.message };
            }
            throw e;
          }
        }),
      )),
    );
  }
  return results;
}

const fromControl = (outcome: ControlOutcome): Omit<Outcome, "id"> =>
  outcome.ok ? { ok: true, status: 200 } : { ok: false, status: STATUS[outcome.reason], message: outcome.message };

function answer(c: Context<AppEnv>, results: Outcome[]) {
  return c.json({ count: results.filter((r) => r.ok).length, results }, 200);
}

type Action = (c: Context<AppEnv>) => (id: string) => Promise<Omit<Outcome, "id">>;

const kill: Action = (c) => {
  const cascade = c.req.query("isOnKillCascade") !== "false";
  return async (id) => fromControl(await executionStub(c.env, c.get("tenantId"), id).kill(cascade));
};
const restart: Action = (c) => async (id) => {
  const tenantId = c.get("tenantId");
  return fromControl(
    await restartWithinLimits(c.env, tenantId, id, () => executionStub(c.env, tenantId, id).restart()),
  );
};
const replay: Action = (c) => {
  const latestRevision = c.req.query("latestRevision") === "true";
  const revision = revisionQuery(c.req.query("revision"));
  return async (id) => {
    const replayed = await replayExecution(c.env, dbOf(c), c.get("tenantId"), id, { latestRevision, revision });
    return { ok: true, status: 200, executionId: replayed.id };
  };
};
const remove: Action = (c) => async (id) =>
  (await executionStub(c.env, c.get("tenantId"), id).markDeleted())
    ? { ok: true, status: 204 }
    : { ok: false, status: 404, message: `Execution '${id}' not found` };

const byIds = (action: Action) => async (c: Context<AppEnv>) =>
  answer(c, await each(idList.parse(await jsonBody(c)), action(c)));
const byQuery = (action: Action) => async (c: Context<AppEnv>) => answer(c, await each(await idsOfQuery(c), action(c)));

export const executionsBulk = new Hono<AppEnv>()
  .delete("/kill/by-ids", byIds(kill))
  .delete("/kill/by-query", byQuery(kill))
  .post("/restart/by-ids", byIds(restart))
  .post("/restart/by-query", byQuery(restart))
  .post("/replay/by-ids", byIds(replay))
  .post("/replay/by-query", byQuery(replay))
  .delete("/by-ids", byIds(remove))
  .delete("/by-query", byQuery(remove))
  .post("/labels/by-ids", async (c) => {
    const body = labelsByIds.parse(await jsonBody(c));
    const tenantId = c.get("tenantId");
    const results = await each(body.executionsId, async (id) =>
      fromControl(await executionStub(c.env, tenantId, id).setLabels(body.executionLabels)),
    );
    return answer(c, results);
  })
  .post("/labels/by-query", async (c) => {
    const labels = labelList.parse(await jsonBody(c));
    const tenantId = c.get("tenantId");
    const results = await each(await idsOfQuery(c), async (id) =>
      fromControl(await executionStub(c.env, tenantId, id).setLabels(labels)),
    );
    return answer(c, results);
  });
