// The Hono environment every route shares: the Worker's bindings and what the auth middleware
// learned about the caller. Sub-apps type themselves with it so that `c.get("tenantId")` is known.
import type { Context } from "hono";
import { type Db, database } from "../db/client";

export type AppEnv = {
  Bindings: Env;
  Variables: {
    /** The tenant of the path, checked against the key's tenant (or, on public routes, taken from the path). */
    tenantId: string;
    /** The key that authenticated the request; absent on public routes. */
    apiKeyId?: string;
    /** How the request was authenticated; absent on public routes. */
    authenticatedBy?: "key" | "session";
  };
};

/** A Drizzle handle on the request's D1 binding; cheap, so made per request rather than kept at module scope. */
export const dbOf = (c: Context<AppEnv>): Db => database(c.env.DB);
