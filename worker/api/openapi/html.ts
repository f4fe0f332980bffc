// The API reference page: the OpenAPI document rendered as one static HTML page on the server,
// with its styles inline and no script, so it works offline and loads nothing from elsewhere.
// Operations are grouped by tag; schemas are shown as JSON, `$ref`s link to the schema's section.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
const obj = (v: Json | undefined): JsonObject =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? v : ({} as JsonObject);
const str = (v: Json | undefined): string => (typeof v === "string" ? v : "");
const anchor = (s: string): string => s.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");

/** Inline code in backticks, the only markup the document's descriptions use. */
const text = (s: string): string => esc(s).replace(/`([^`]+)`/g, "<code>$1</code>");

/** A schema as pretty JSON with its `$ref`s turned into links. */
function schemaBlock(schema: Json | undefined): string {
  if (schema === undefined) return "";
  const json = esc(JSON.stringify(schema, null, 2)).replace(
    /&quot;#\/components\/schemas\/([A-Za-z0-9_]+)&quot;/g,
    (_m, name: string) => `&quot;<a href="#schema-${name}">#/components/schemas/${name}</a>&quot;`,
  );
  return `<pre>${json}</pre>`;
}

/** A short name for a schema: its `$ref`'s component, `Type[]`, or its JSON type. */
function schemaName(schema: Json | undefined): string {
  const s = obj(schema);
  const ref = str(s.$ref);
  if (ref) {
    const name = ref.split("/").pop() ?? ref;
    return `<a href="#schema-${esc(name)}">${esc(name)}</a>`;
  }
  if (s.type === "array") return `${schemaName(s.items)}[]`;
  if (Array.isArray(s.enum)) return s.enum.map((e) => esc(String(e))).join(" | ");
  if (Array.isArray(s.anyOf)) return s.anyOf.map(schemaName).join(" | ");
  return esc(str(s.type) || "any");
}

function parametersTable(params: Json | undefined): string {
  if (!Array.isArray(params) || params.length === 0) return "";
  const rows = params
    .map((p) => {
      const o = obj(p);
      return `<tr><td><code>${esc(str(o.name))}</code>${o.required === true ? " <b>*</b>" : ""}</td><td>${esc(str(o.in))}</td><td>${schemaName(o.schema)}</td><td>${text(str(o.description))}</td></tr>`;
    })
    .join("");
  return `<table><thead><tr><th>Parameter</th><th>In</th><th>Type</th><th>Description</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function contentList(content: Json | undefined): string {
  return Object.entries(obj(content))
    .map(([media, m]) => {
      const schema = obj(m).schema;
      const simple = obj(schema).$ref !== undefined || Object.keys(obj(schema)).length <= 1;
      return `<div class="media"><code>${esc(media)}</code> ${schemaName(schema)}${simple ? "" : `<details><summary>schema</summary>${schemaBlock(schema)}</details>`}</div>`;
    })
    .join("");
}

function responsesList(responses: Json | undefined, shared: JsonObject): string {
  return Object.entries(obj(responses))
    .map(([status, r]) => {
      const ref = str(obj(r).$ref);
      const resolved = ref ? obj(shared[ref.split("/").pop() ?? ""]) : obj(r);
      const cls = status.startsWith("2") ? "ok" : "err";
      return `<li><span class="status ${cls}">${esc(status)}</span> ${text(str(resolved.description))}${contentList(resolved.content)}</li>`;
    })
    .join("");
}

function operationSection(method: string, path: string, op: JsonObject, shared: JsonObject): string {
  const id = str(op.operationId);
  const security = Array.isArray(op.security) && op.security.length === 0 ? '<span class="public">public</span>' : "";
  const body = obj(op.requestBody);
  return `<section class="op" id="${esc(id)}">
<h3><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code> ${security}</h3>
<p>${text(str(op.summary))}</p>${op.description ? `<p class="desc">${text(str(op.description))}</p>` : ""}
${parametersTable(op.parameters)}
${op.requestBody ? `<h4>Body${body.required === true ? " (required)" : ""}</h4>${body.description ? `<p>${text(str(body.description))}</p>` : ""}${contentList(body.content)}` : ""}
<h4>Responses</h4><ul class="responses">${responsesList(op.responses, shared)}</ul>
</section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d232a;display:flex}
nav{width:260px;height:100vh;overflow:auto;position:sticky;top:0;background:#f4f6f8;padding:1rem;box-sizing:border-box;font-size:13px;flex:none}
nav a{display:block;color:#1d232a;text-decoration:none;padding:1px 0;overflow-wrap:anywhere}nav h2{font-size:14px;margin:1rem 0 .25rem}
main{padding:1rem 2rem;max-width:1000px;min-width:0}h1{margin-top:0}
.op{border-top:1px solid #dde2e7;padding:.75rem 0}.op h3{font-size:15px;margin:0;word-break:break-all}
.method{display:inline-block;min-width:4.2em;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 4px}
.get{background:#1f6fb2}.post{background:#2e7d32}.put{background:#a4670a}.delete{background:#b3261e}
.public{font-size:11px;border:1px solid #2e7d32;color:#2e7d32;border-radius:3px;padding:0 4px}
table{border-collapse:collapse;margin:.5rem 0;font-size:13px}td,th{border:1px solid #dde2e7;padding:3px 8px;text-align:left;vertical-align:top}
pre{background:#f4f6f8;padding:.5rem;overflow:auto;font-size:12px;max-height:28rem}
.status{font-weight:600}.ok{color:#2e7d32}.err{color:#b3261e}.responses{padding-left:1rem}.desc{color:#4a545e}
h4{margin:.5rem 0 .25rem;font-size:13px}.media{margin-left:1rem;font-size:13px}details{margin-left:1rem}`;

/** The whole page; `doc` is the OpenAPI document as served at /api/v1/openapi.json. */
export function referencePage(doc: JsonObject): string {
  const info = obj(doc.info);
  const components = obj(doc.components);
  const shared = obj(components.responses);
  const byTag = new Map<string, string[]>();
  const nav = new Map<string, string[]>();
  for (const [path, item] of Object.entries(obj(doc.paths))) {
    for (const [method, raw] of Object.entries(obj(item))) {
      const op = obj(raw);
      const tag = str(Array.isArray(op.tags) ? op.tags[0] : "") || "Other";
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationSection(method, path, op, shared)]);
      nav.set(tag, [
        ...(nav.get(tag) ?? []),
        `<a href="#${esc(str(op.operationId))}">${esc(method.toUpperCase())} ${esc(path.replace(/^\/api\/v1\/\{tenant\}/, ""))}</a>`,
      ]);
    }
  }
  const tags = Array.isArray(doc.tags) ? doc.tags.map(obj) : [];
  const order = [...tags.map((t) => str(t.name)), ...[...byTag.keys()].filter((t) => !tags.some((x) => x.name === t))];
  const sections = order
    .filter((t) => byTag.has(t))
    .map((t) => {
      const description = str(tags.find((x) => x.name === t)?.description);
      return `<h2 id="tag-${anchor(t)}">${esc(t)}</h2><p>${text(description)}</p>${(byTag.get(t) ?? []).join("\n")}`;
    })
    .join("\n");
  const schemas = Object.entries(obj(components.schemas))
    .map(
      ([name, s]) =>
        `<section id="schema-${esc(name)}"><h3>${esc(name)}</h3><p>${text(str(obj(s).description))}</p>${schemaBlock(s)}</section>`,
    )
    .join("\n");
  const navHtml = order
    .filter((t) => nav.has(t))
    .map((t) => `<h2><a href="#tag-${anchor(t)}">${esc(t)}</a></h2>${(nav.get(t) ?? []).join("")}`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(str(info.title))}</title><style>${STYLE}</style></head><body>
<nav aria-label="Operations"><strong>${esc(str(info.title))}</strong>${navHtml}<h2><a href="#schemas">Schemas</a></h2></nav>
<main><h1>${esc(str(info.title))}</h1><p>${text(str(info.description))}</p>
<p>The machine-readable document: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI ${esc(str(doc.openapi))}).</p>
${sections}<h2 id="schemas">Schemas</h2>${schemas}</main></body></html>`;
}
