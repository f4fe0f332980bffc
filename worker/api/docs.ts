// The API's own description, public: GET /api/v1/openapi.json (OpenAPI 3.1, generated from the
// route tables in openapi/) and GET /api/v1/docs (that document as an HTML page). Public because
// they describe the code, the same for every tenant, and hold no tenant's data; a reader needs
// them before having a key.
import { Hono } from "hono";
import type { AppEnv } from "./context";
import { openApiDocument } from "./openapi/document";
import { referencePage } from "./openapi/html";

let page: string | undefined;

export const docsApi = new Hono<AppEnv>()
  .get("/openapi.json", (c) => c.json(openApiDocument(), 200, { "Cache-Control": "public, max-age=300" }))
  .get("/docs", (c) => {
    page ??= referencePage(openApiDocument());
    return c.html(page, 200, {
      "Cache-Control": "public, max-age=300",
      // Nothing on the page runs or loads from elsewhere; say so to the browser as well.
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
    });
  });
