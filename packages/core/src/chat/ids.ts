import * as v from "valibot";

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const EVENT_ID_PATTERN = /^[A-Za-z0-9_:.-]{1,128}$/;

/** Thread, message, run and session ids: 1-64 characters of `[A-Za-z0-9_-]`. */
export const IdSchema = v.pipe(v.string("must be a string"), v.regex(ID_PATTERN, "must be 1-64 characters of A-Z a-z 0-9 _ -"));

/** Event ids (the de-duplication key): 1-128 characters of `[A-Za-z0-9_:.-]`. */
export const EventIdSchema = v.pipe(
  v.string("must be a string"),
  v.regex(EVENT_ID_PATTERN, "must be 1-128 characters of A-Z a-z 0-9 _ : . -"),
);

/** True when `value` is a well-formed id (see {@link IdSchema}). */
export function isId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/** A new random id with a readable prefix, e.g. `t_2f1c...` (128 bits of randomness). */
export function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return `${prefix}_${hex}`;
}
