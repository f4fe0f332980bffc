// Reading the inputs an HTTP request submits to start or resume an execution: multipart,
// urlencoded or JSON. Validation against the flow's declared inputs is launch/inputs.ts's.
import { badRequest, DomainError } from "../errors";
import type { SubmittedInputs } from "../launch/inputs";
import { parseJsonWithin } from "../limits";

/** The inputs of an execution request; FILE parts are keyed by their filename, as Kestra does. */
export async function readSubmittedInputs(request: Request): Promise<SubmittedInputs> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  const out: SubmittedInputs = { values: {}, files: {} };
  if (type.startsWith("multipart/form-data") || type.startsWith("application/x-www-form-urlencoded")) {
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      throw badRequest("Malformed form data");
    }
    const partNames: Record<string, File> = {};
    for (const [name, value] of form) {
      if (typeof value === "string") {
        const prev = out.values[name];
        out.values[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
      } else {
        out.files[value.name || name] = value;
        partNames[name] = value;
      }
    }
    // Newer clients name the part after the input instead: accept that when no filename claims it.
    for (const [name, file] of Object.entries(partNames)) if (!out.files[name]) out.files[name] = file;
    return out;
  }
  const body = await request.text();
  if (body.trim() === "") return out;
  if (type !== "" && !type.includes("json")) throw badRequest(`Unsupported content type for inputs: ${type}`);
  let parsed: unknown;
  try {
    parsed = parseJsonWithin(body, "inputs");
  } catch (e) {
    if (e instanceof DomainError) throw e;
    throw badRequest("The request body is not valid JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw badRequest("Inputs must be a JSON object");
  }
  out.values = parsed as Record<string, unknown>;
  return out;
}
