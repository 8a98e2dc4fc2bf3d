/**
 * Lua scripts shared by the Redis (TCP) and Upstash (REST) adapters. Each runs
 * atomically, so a write, its de-duplication, the snapshot state and the trimming
 * boundary never disagree, and each costs one round trip.
 *
 * Stream entries have three fields: `p` (the id of the entry before it, "0-0" for the
 * first), `i` (the event id) and `e` (the event as JSON). `p` lets a reader tell, from
 * the oldest retained entry alone, whether its cursor fell out of retention, and lets a
 * tail check that a batch continues exactly where it left off.
 */

const COMPARE = `
local function cmp(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  if am ~= bm then return am < bm and -1 or 1 end
  if as ~= bs then return as < bs and -1 or 1 end
  return 0
end
local function field(entry, name)
  local f = entry[2]
  for i = 1, #f, 2 do if f[i] == name then return f[i + 1] end end
  return nil
end
`;

/** Keeps the owner's activity stream short: live lists relist when they fall further behind. */
const ACTIVITY_MAXLEN = 100;

// Appends the thread's record to the owner's activity stream, naming the entry before it.
const NOTIFY = `
local function notify(activity, meta, threadId)
  local last = redis.call('XREVRANGE', activity, '+', '-', 'COUNT', 1)[1]
  local args = {'XADD', activity, 'MAXLEN', '~', ${ACTIVITY_MAXLEN}, '*', 'p', last and last[1] or '0-0', 't', threadId}
  local names = {'owner', 'title', 'createdAt', 'updatedAt', 'readAt'}
  local values = redis.call('HMGET', meta, unpack(names))
  for i = 1, #names do
    if values[i] then
      args[#args + 1] = names[i]
      args[#args + 1] = values[i]
    end
  end
  redis.call(unpack(args))
end
`;

/**
 * KEYS: meta, ownerIndex, activity. ARGV: owner, createdAt, epoch, threadId.
 * Returns 1, or 0 when the thread exists.
 */
export const CREATE_THREAD = `${NOTIFY}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'createdAt', ARGV[2], 'updatedAt', ARGV[2], 'epoch', ARGV[3], 'head', '0-0')
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
notify(KEYS[3], KEYS[1], ARGV[4])
return 1
`;

/**
 * KEYS: meta, stream, ids, history, partials, partialText.
 * ARGV: eventId, eventJson, type, maxEvents, slack, messageId, seq, deltaText, title, at, ownerPrefix, threadId.
 * Returns {'ok', id, epoch} | {'dup', id, epoch} | {'nothread'}.
 */
export const APPEND = `${COMPARE}${NOTIFY}
local meta, stream, ids, history, partials, partial = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local eventId, json, etype = ARGV[1], ARGV[2], ARGV[3]
local maxEvents, slack = tonumber(ARGV[4]), tonumber(ARGV[5])
local messageId, seq, text, title, at = ARGV[6], tonumber(ARGV[7]), ARGV[8], ARGV[9], tonumber(ARGV[10])
local m = redis.call('HMGET', meta, 'epoch', 'head', 'owner', 'updatedAt')
if not m[1] then return {'nothread'} end
local existing = redis.call('HGET', ids, eventId)
if existing then return {'dup', existing, m[1]} end
local id = redis.call('XADD', stream, '*', 'p', m[2], 'i', eventId, 'e', json)
redis.call('HSET', meta, 'head', id)
redis.call('HSET', ids, eventId, id)
if etype == 'message.delta' then
  local current = redis.call('HGET', partials, messageId)
  if current and seq > tonumber(current) then
    redis.call('HSET', partials, messageId, seq)
    redis.call('APPEND', partial, text)
  end
else
  redis.call('RPUSH', history, json)
  if etype == 'run.started' then
    redis.call('HSETNX', partials, messageId, -1)
  elseif etype == 'message.completed' or etype == 'message.failed' then
    redis.call('HDEL', partials, messageId)
    redis.call('DEL', partial)
  end
  local changed = false
  if etype == 'thread.read' then
    local readAt = tonumber(redis.call('HGET', meta, 'readAt') or '0')
    if at > readAt then
      redis.call('HSET', meta, 'readAt', at)
      changed = true
    end
  elseif etype ~= 'run.started' and etype ~= 'run.cancel_requested' then
    if etype == 'message.created' and redis.call('HSETNX', meta, 'title', title) == 1 then changed = true end
    if at > tonumber(m[4]) then
      redis.call('HSET', meta, 'updatedAt', at)
      redis.call('ZADD', ARGV[11] .. m[3] .. ':threads', at, ARGV[12])
      changed = true
    end
  end
  if changed then notify(ARGV[11] .. m[3] .. ':activity', meta, ARGV[12]) end
end
local len = redis.call('XLEN', stream)
if len > maxEvents + slack then
  local old = redis.call('XRANGE', stream, '-', '+', 'COUNT', len - maxEvents + 1)
  local removed = {}
  for i = 1, #old - 1 do removed[#removed + 1] = field(old[i], 'i') end
  redis.call('HDEL', ids, unpack(removed))
  redis.call('XTRIM', stream, 'MINID', old[#old][1])
end
return {'ok', id, m[1]}
`;

/**
 * KEYS: meta, stream. ARGV: epoch ('' for none), after ('' for the start), limit.
 * Returns {'ok', epoch, entries} | {'reset', reason} | {'nothread'}; entries holds at
 * most limit + 1 entries (the extra one only tells the caller there is more).
 */
export const READ = `${COMPARE}
local m = redis.call('HMGET', KEYS[1], 'epoch', 'head')
if not m[1] then return {'nothread'} end
local after = ARGV[2]
if ARGV[1] ~= '' and ARGV[1] ~= m[1] then return {'reset', 'epoch'} end
if after ~= '' then
  if cmp(after, m[2]) > 0 then return {'reset', 'unknown'} end
  local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
  if first and cmp(after, field(first, 'p')) < 0 then return {'reset', 'trimmed'} end
end
local start = after == '' and '-' or ('(' .. after)
return {'ok', m[1], redis.call('XRANGE', KEYS[2], start, '+', 'COUNT', tonumber(ARGV[3]) + 1)}
`;

/**
 * KEYS: meta, history, partials. ARGV: partialPrefix.
 * Returns {epoch, head, historyJson[], partials[messageId, seq, text, ...]} or {} when the thread is unknown.
 */
export const SNAPSHOT = `
local m = redis.call('HMGET', KEYS[1], 'epoch', 'head')
if not m[1] then return {} end
local partials = redis.call('HGETALL', KEYS[3])
local out = {}
for i = 1, #partials, 2 do
  out[#out + 1] = partials[i]
  out[#out + 1] = partials[i + 1]
  out[#out + 1] = redis.call('GET', ARGV[1] .. partials[i]) or ''
end
return {m[1], m[2], redis.call('LRANGE', KEYS[2], 0, -1), out}
`;

/**
 * KEYS: the streams. ARGV: count, then one id per stream.
 * Non-blocking multi-stream read for polling tails: returns XREAD's reply or nil.
 */
export const POLL = `
local args = {'XREAD', 'COUNT', ARGV[1], 'STREAMS'}
for i = 1, #KEYS do args[#args + 1] = KEYS[i] end
for i = 2, #ARGV do args[#args + 1] = ARGV[i] end
return redis.call(unpack(args))
`;

/** KEYS: meta. Returns the thread's meta hash as a flat list. */
export const GET_THREAD = `return redis.call('HGETALL', KEYS[1])`;

/**
 * KEYS: ownerIndex, activity. ARGV: limit, threadPrefix.
 * Returns {lastActivityId, {threadId, metaFlat, ...}} for the owner's most recently
 * active threads: the list reflects exactly the activity up to that id ('0-0': none).
 */
export const LIST_THREADS = `
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)[1]
local ids = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
local out = {}
for i = 1, #ids do
  out[#out + 1] = ids[i]
  out[#out + 1] = redis.call('HGETALL', ARGV[2] .. ids[i] .. ':meta')
end
return {last and last[1] or '0-0', out}
`;
