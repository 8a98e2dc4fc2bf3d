/**
 * The limiter's Lua scripts (see redis.ts), each one round trip and atomic. The clock is
 * the caller's (ARGV `now`, epoch ms), so the scripts are deterministic.
 */

/**
 * KEYS: one per rule (a string: the rule's theoretical arrival time, see gcra.ts).
 * ARGV: now, then per rule: limit, windowMs.
 * Returns {0, 0} when every rule had room (each took one), or {i, waitMs}: rule i (1-based)
 * had none, and nothing was taken. Inner commands: a GET per rule, and a SET per rule
 * when allowed.
 */
export const TAKE = `
local now = tonumber(ARGV[1])
local tats = {}
for i = 1, #KEYS do
  local limit, window = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local interval = window / limit
  local base = math.max(tonumber(redis.call('GET', KEYS[i]) or '0'), now)
  local wait = math.ceil(base + interval - window - now)
  if wait > 0 then return {i, wait} end
  tats[i] = math.ceil(base + interval)
end
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], string.format('%.0f', tats[i]), 'PX', string.format('%.0f', tats[i] - now))
end
return {0, 0}
`;

/**
 * KEYS: the rule's slots (a sorted set: slot id by when it expires). ARGV: now, max, id,
 * expiresAt. Returns {1, 0} when held, or {0, waitMs} (until the earliest slot expires).
 * Expired slots are dropped first; the set expires with its last slot.
 */
export const HOLD = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[3]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, math.ceil(tonumber(first[2]) - now)}
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], string.format('%.0f', math.max(1, tonumber(last[2]) - now)))
return {1, 0}
`;

/** KEYS: the rule's slots. ARGV: id. */
export const RELEASE = `return redis.call('ZREM', KEYS[1], ARGV[1])`;
