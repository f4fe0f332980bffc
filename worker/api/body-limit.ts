// Owns the size limit of every request body, checked before any route reads it: 413 naming the
// limit, whether the client declared a Content-Length or streamed the body. Multipart bodies
// (execution inputs with FILE parts) may be as large as the storage limit; namespace-file uploads
// stream straight to R2 under that limit in their own route; everything else is capped at
// MAX_BODY_BYTES.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { bodyTooLarge, MAX_BODY_BYTES } from "../limits";
import { fileLimit } from "../storage/limits";
import type { AppEnv } from "./context";

/** Multipart framing around files: boundaries and part headers. */
const MULTIPART_SLACK = 1024 * 1024;
const NAMESPACE_FILES = /^\/api\/v1\/(?:[^/]+\/)?namespaces\/[^/]+\/files$/;

export const limitBodies: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.req.raw.body || NAMESPACE_FILES.test(c.req.path)) return next();
  const multipart = (c.req.header("Content-Type") ?? "").toLowerCase().startsWith("multipart/form-data");
  const maxSize = multipart ? fileLimit(c.env) + MULTIPART_SLACK : MAX_BODY_BYTES;
  return bodyLimit({
    maxSize,
    onError: () => {
      throw bodyTooLarge(maxSize);
    },
  })(c, next);
};
