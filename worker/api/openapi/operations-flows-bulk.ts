// The OpenAPI description of Kestra's bulk flow routes (worker/api/flows-bulk.ts): delete, disable,
// enable and export by ids or by query, and import.
import * as z from "zod";
import { flowIds } from "../flows-bulk";
import type { Operation } from "./spec";

const T = "/api/v1/:tenant/flows";
const count = { 200: { description: "How many flows changed.", json: z.object({ count: z.number().int() }) } };
const zip = { 200: { description: "A zip of `<namespace>.<id>.yml` sources.", media: "application/octet-stream" } };
const filters = z.object({
  q: z.string().optional().meta({ description: "Text in the id, namespace or description." }),
  namespace: z.string().optional().meta({ description: "This namespace and those under it." }),
  labels: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .meta({ description: "Repeatable `key:value`." }),
});
const ids = { kind: "json", schema: flowIds, required: true } as const;
const QUERY_NOTE = "At most 1,000 flows may match (else 422).";

export const flowsBulkOperations: Operation[] = [
  {
    method: "delete",
    path: `${T}/delete/by-ids`,
    tag: "Flows",
    summary: "Delete flows by ids",
    body: ids,
    responses: count,
  },
  {
    method: "delete",
    path: `${T}/delete/by-query`,
    tag: "Flows",
    summary: "Delete the flows matching a search",
    description: QUERY_NOTE,
    query: filters,
    responses: count,
  },
  {
    method: "post",
    path: `${T}/disable/by-ids`,
    tag: "Flows",
    summary: "Disable flows by ids",
    body: ids,
    responses: count,
  },
  {
    method: "post",
    path: `${T}/disable/by-query`,
    tag: "Flows",
    summary: "Disable the flows matching a search",
    description: QUERY_NOTE,
    query: filters,
    responses: count,
  },
  {
    method: "post",
    path: `${T}/enable/by-ids`,
    tag: "Flows",
    summary: "Enable flows by ids",
    body: ids,
    responses: count,
  },
  {
    method: "post",
    path: `${T}/enable/by-query`,
    tag: "Flows",
    summary: "Enable the flows matching a search",
    description: QUERY_NOTE,
    query: filters,
    responses: count,
  },
  {
    method: "post",
    path: `${T}/export/by-ids`,
    tag: "Flows",
    summary: "Export flows by ids",
    body: ids,
    responses: zip,
  },
  {
    method: "get",
    path: `${T}/export/by-query`,
    tag: "Flows",
    summary: "Export the flows matching a search",
    description: QUERY_NOTE,
    query: filters,
    responses: zip,
  },
  {
    method: "post",
    path: `${T}/import`,
    tag: "Flows",
    summary: "Import flows from a YAML file or a zip of YAML files",
    description: "Each flow is created or updated; one invalid source refuses the whole import (422 naming the file).",
    body: { kind: "form", description: "multipart/form-data with the file as part `fileUpload`." },
    responses: { 204: { description: "Imported." } },
    errors: [413],
  },
];
