import { PayloadTooLargeError, ValidationError } from "@murmur/core/errors";
import { describeIssues } from "@murmur/core/events";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as v from "valibot";

/** Largest request body any route accepts. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Refuses bodies over {@link MAX_BODY_BYTES} with 413, before they are read whole. */
export const limitBody: MiddlewareHandler = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new PayloadTooLargeError(`request body exceeds ${MAX_BODY_BYTES} bytes (64 KB)`);
  },
});

/** Parses raw text as JSON. @throws ValidationError when it is not JSON. */
export function parseJson(text: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ValidationError("body is not valid JSON", [], { cause });
  }
}

/** Reads and validates a JSON body. @throws ValidationError naming each wrong field. */
export async function readBody<S extends v.GenericSchema>(c: Context, schema: S): Promise<v.InferOutput<S>> {
  const result = v.safeParse(schema, parseJson(await c.req.text()));
  if (!result.success) throw new ValidationError("invalid body", describeIssues(result.issues));
  return result.output;
}
