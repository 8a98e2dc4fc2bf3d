import { ID_PATTERN } from "../events/constants.ts";

/** True when `value` is a well-formed id: 1-64 characters of `[A-Za-z0-9_-]`. */
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
