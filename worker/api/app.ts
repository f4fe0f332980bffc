// The Hono application: one sub-app per resource, mounted under the tenant segment.
import { Hono } from "hono";

export const app = new Hono<{ Bindings: Env }>().get("/health", (c) => c.json({ status: "UP" }));

export type AppType = typeof app;
