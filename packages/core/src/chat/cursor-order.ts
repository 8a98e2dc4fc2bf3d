import { CURSOR_PATTERN } from "../events/constants.ts";

/**
 * Orders two wire cursors of one thread's log (`<epoch>:<ms>-<seq>`) without the
 * event-log module, for the browser: negative when `a` comes first, 0 when equal,
 * positive when `b` comes first, and NaN when they cannot be ordered (another epoch, or
 * not a cursor): resuming from either then ends in a `reset`, never in a silent gap.
 */
export function compareWireCursors(a: string, b: string): number {
  const x = CURSOR_PATTERN.exec(a);
  const y = CURSOR_PATTERN.exec(b);
  if (!x || !y || x[1] !== y[1]) return Number.NaN;
  return Number(x[2]) - Number(y[2]) || Number(x[3]) - Number(y[3]);
}
