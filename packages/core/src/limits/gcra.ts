import type { RateRule } from "./limiter.ts";

/**
 * The generic cell rate algorithm, the arithmetic of every limiter (the Redis script in
 * scripts.ts does the same in Lua). State per rule: one number, the theoretical arrival
 * time (`tat`) of the next request, epoch ms. A request at `now` fits when
 * `max(tat, now) + interval - windowMs <= now`, where `interval = windowMs / limit`: so a
 * burst of `limit` fits, then one every `interval`. Returns the `tat` after taking it,
 * and `waitMs`, how long until it would fit (0 when it fits now). Times are whole ms,
 * rounded so that a rule is never looser than stated.
 */
export function gcra(tat: number | undefined, rule: RateRule, now: number): { tat: number; waitMs: number } {
  const interval = rule.windowMs / rule.limit;
  const base = Math.max(tat ?? 0, now);
  const waitMs = Math.max(0, Math.ceil(base + interval - rule.windowMs - now));
  return { tat: Math.ceil(base + interval), waitMs };
}
