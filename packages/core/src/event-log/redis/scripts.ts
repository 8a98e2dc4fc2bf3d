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

/**
 * What a script does with each entry it appends (`feed`) and, before it returns, with all
 * of them (`flush`). On one Redis nothing: readers block in `XREAD`. On a Redis Cluster
 * (see {@link publishingScript}) each stream's new entries go out as one sharded pub/sub
 * message on the channel named by the stream's key (so in its slot), which the cluster
 * tailer (cluster-tailer.ts) delivers without reading the stream again.
 */
const FEED_OFF = `
local function feed() end
local function flush() end
`;

const FEED_PUBLISH = `
local fedEntries, fedStreams = {}, {}
local function feed(stream, id, ...)
  local entries = fedEntries[stream]
  if not entries then
    entries = {}
    fedEntries[stream] = entries
    fedStreams[#fedStreams + 1] = stream
  end
  entries[#entries + 1] = {id, {...}}
end
local function flush()
  for i = 1, #fedStreams do
    redis.call('SPUBLISH', fedStreams[i], cjson.encode(fedEntries[fedStreams[i]]))
  end
end
`;

/**
 * The script as it runs on a Redis Cluster: the same, but publishing what it appends (a
 * JSON array of `[id, [field, value, ...]]`, exactly the entries `XREAD` would return)
 * with `SPUBLISH` (Redis 7) on each appended stream's own key as the channel.
 */
export function publishingScript(script: string): string {
  return script.replace(FEED_OFF, FEED_PUBLISH);
}

// The hash tags of keys.ts, in Lua: an owner's (8 hex digits of its SHA-1) and a thread's
// (the owner tag its id embeds, or the whole id).
const TAGS = `
local function ownerKeyOf(prefix, owner, suffix)
  return prefix .. '{' .. string.sub(redis.sha1hex(owner), 1, 8) .. '}:owner:' .. owner .. suffix
end
local function threadKeyOf(prefix, threadId, suffix)
  local tag = string.match(threadId, '^t_(%x%x%x%x%x%x%x%x)') or threadId
  return prefix .. '{' .. tag .. '}:thread:' .. threadId .. suffix
end
`;

/** Keeps the owner's activity stream short: live lists relist when they fall further behind. */
const ACTIVITY_MAXLEN = 100;

// Appends the thread's record to the owner's activity stream, naming the entry before it.
const NOTIFY = `
local function notify(activity, meta, threadId)
  local last = redis.call('XREVRANGE', activity, '+', '-', 'COUNT', 1)[1]
  local args = {'XADD', activity, 'MAXLEN', '~', ${ACTIVITY_MAXLEN}, '*', 'p', last and last[1] or '0-0', 't', threadId}
  local names = {'owner', 'title', 'createdAt', 'updatedAt', 'readAt', 'renamedAt'}
  local values = redis.call('HMGET', meta, unpack(names))
  for i = 1, #names do
    if values[i] then
      args[#args + 1] = names[i]
      args[#args + 1] = values[i]
    end
  end
  feed(activity, redis.call(unpack(args)), unpack(args, 7))
end
`;

/**
 * KEYS: meta, ownerIndex, activity. ARGV: owner, createdAt, epoch, threadId.
 * Returns 1, or 0 when the thread exists.
 */
export const CREATE_THREAD = `${FEED_OFF}${NOTIFY}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'createdAt', ARGV[2], 'updatedAt', ARGV[2], 'epoch', ARGV[3], 'head', '0-0')
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
notify(KEYS[3], KEYS[1], ARGV[4])
flush()
return 1
`;

/** Arguments per event in an APPEND call (see {@link APPEND}). */
export const APPEND_ARGS_PER_EVENT = 10;

/**
 * Appends a batch of events of one thread, atomically, in one round trip.
 * KEYS: meta, stream, ids, history, then the partial-text key of each message the batch
 * touches. ARGV: maxEvents, keyPrefix (`<prefix>:`), threadId, count, leaseMs, ifHead
 * (`<epoch>:<head>`, or '' for none), maxReplyBytes, then per event (APPEND_ARGS_PER_EVENT):
 * eventId, eventJson, type, messageId, runId, seq, deltaText, title, at, index of its
 * partial key in KEYS.
 * Returns {'nothread'}, {'moved'} (the head is not ifHead: nothing written),
 * {'toolarge', messageId, runId, bytes} (a delta would grow its reply in progress past
 * maxReplyBytes: nothing written), or {epoch, then per event: status ('ok' | 'dup'),
 * stream id, cancel (1 | 0)}.
 *
 * Costs, in commands run inside the script (what Upstash may bill, see BENCHMARKS.md):
 * a delta of a reply in progress is HMGET + XADD + APPEND + HSET, with nothing per
 * event beyond its own XADD and APPEND when batched: it is de-duplicated by its seq
 * (the meta field `s:<messageId>`, which the reducer's own rule makes equivalent: a
 * delta at or below the applied seq changes nothing), so it needs no id lookup, and its
 * reply's size so far is the meta field `b:<messageId>` (bytes), read by the same HMGET
 * and written by the same HSET. Every
 * other event is de-duplicated by its id (the `ids` hash, kept past trimming, so a
 * message sent again long after still lands once) and also writes the history list.
 * `c:<runId>` in meta records a stop request; each result says whether the event's run
 * has one, so a runner learns of a stop from its own appends. `l:<runId>` is the run's
 * lease (`<expiresAt>:<messageId>`): set by `run.started`, renewed by each of its deltas
 * (in the one HSET the delta pays anyway), dropped with the reply's end. The stream is
 * trimmed exactly to maxEvents by XADD itself (MAXLEN), with no XLEN.
 */
export const APPEND = `${FEED_OFF}${TAGS}${NOTIFY}
local meta, stream, ids, history = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local maxEvents, keyPrefix, threadId, n, leaseMs = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local ifHead, maxReply = ARGV[6], tonumber(ARGV[7])
local W = ${APPEND_ARGS_PER_EVENT}
local B = 7
local fields = {'epoch', 'head', 'owner', 'updatedAt', 'readAt'}
for e = 1, n do
  local o = B + (e - 1) * W
  fields[#fields + 1] = 's:' .. ARGV[o + 4]
  fields[#fields + 1] = 'c:' .. ARGV[o + 5]
  fields[#fields + 1] = 'b:' .. ARGV[o + 4]
end
local m = redis.call('HMGET', meta, unpack(fields))
if not m[1] then return {'nothread'} end
if ifHead ~= '' and ifHead ~= m[1] .. ':' .. m[2] then return {'moved'} end
local head, owner, updatedAt, readAt = m[2], m[3], tonumber(m[4]), tonumber(m[5] or '0')
local seqs, cancels, dirty, ended, leases, sizes = {}, {}, {}, {}, {}, {}
for e = 1, n do
  local o = B + (e - 1) * W
  local s, c, b = m[3 + 3 * e], m[4 + 3 * e], m[5 + 3 * e]
  if seqs[ARGV[o + 4]] == nil then
    seqs[ARGV[o + 4]] = s and tonumber(s) or false
    sizes[ARGV[o + 4]] = tonumber(b or '0')
  end
  if c then cancels[ARGV[o + 5]] = true end
end
local applied, grown = {}, {}
for e = 1, n do
  local o = B + (e - 1) * W
  local messageId = ARGV[o + 4]
  if ARGV[o + 3] == 'run.started' and seqs[messageId] == false and applied[messageId] == nil then applied[messageId] = -1 end
  local from = applied[messageId] or seqs[messageId]
  if ARGV[o + 3] == 'message.delta' and from and tonumber(ARGV[o + 6]) > from then
    applied[messageId] = tonumber(ARGV[o + 6])
    grown[messageId] = (grown[messageId] or sizes[messageId]) + #ARGV[o + 7]
    if grown[messageId] > maxReply then return {'toolarge', messageId, ARGV[o + 5], grown[messageId]} end
  end
end
local out = {m[1]}
local changed, headMoved, titled = false, false, false
for e = 1, n do
  local o = B + (e - 1) * W
  local eventId, json, etype, messageId, runId = ARGV[o + 1], ARGV[o + 2], ARGV[o + 3], ARGV[o + 4], ARGV[o + 5]
  local seq, text, title, at, partial = tonumber(ARGV[o + 6]), ARGV[o + 7], ARGV[o + 8], tonumber(ARGV[o + 9]), KEYS[tonumber(ARGV[o + 10])]
  local status, id = 'ok', nil
  if etype == 'message.delta' and seqs[messageId] then
    if seq <= seqs[messageId] then
      status, id = 'dup', head
    else
      local prev = head
      head = redis.call('XADD', stream, 'MAXLEN', maxEvents, '*', 'p', prev, 'i', eventId, 'e', json)
      feed(stream, head, 'p', prev, 'i', eventId, 'e', json)
      redis.call('APPEND', partial, text)
      sizes[messageId] = (sizes[messageId] or 0) + #text
      seqs[messageId] = seq
      dirty[messageId] = true
      leases[runId] = (at + leaseMs) .. ':' .. messageId
    end
  else
    local existing = redis.call('HGET', ids, eventId)
    if existing then
      status, id = 'dup', existing
    else
      local prev = head
      head = redis.call('XADD', stream, 'MAXLEN', maxEvents, '*', 'p', prev, 'i', eventId, 'e', json)
      feed(stream, head, 'p', prev, 'i', eventId, 'e', json)
      redis.call('HSET', ids, eventId, head)
      if etype ~= 'message.delta' then
        redis.call('RPUSH', history, json)
        if etype == 'run.started' then
          if seqs[messageId] == false then
            seqs[messageId] = -1
            dirty[messageId] = true
          end
          leases[runId] = (at + leaseMs) .. ':' .. messageId
        elseif etype == 'message.completed' or etype == 'message.failed' then
          seqs[messageId] = false
          dirty[messageId] = nil
          leases[runId] = nil
          ended[#ended + 1] = 's:' .. messageId
          ended[#ended + 1] = 'c:' .. runId
          ended[#ended + 1] = 'l:' .. runId
          ended[#ended + 1] = 'b:' .. messageId
          redis.call('DEL', partial)
        elseif etype == 'run.cancel_requested' then
          cancels[runId] = true
          redis.call('HSET', meta, 'c:' .. runId, 1)
        end
        if etype == 'thread.read' then
          if at > readAt then
            readAt = at
            redis.call('HSET', meta, 'readAt', at)
            changed = true
          end
        elseif etype ~= 'run.started' and etype ~= 'run.cancel_requested' then
          if etype == 'message.created' and not titled and redis.call('HSETNX', meta, 'title', title) == 1 then
            titled, changed = true, true
          end
          if at > updatedAt then
            updatedAt = at
            redis.call('HSET', meta, 'updatedAt', at)
            redis.call('ZADD', ownerKeyOf(keyPrefix, owner, ':threads'), at, threadId)
            changed = true
          end
        end
      end
    end
  end
  if status == 'ok' then headMoved = true end
  out[#out + 1] = status
  out[#out + 1] = id or head
  out[#out + 1] = cancels[runId] and 1 or 0
end
if headMoved then
  local set = {'head', head}
  for messageId in pairs(dirty) do
    set[#set + 1] = 's:' .. messageId
    set[#set + 1] = seqs[messageId]
    if sizes[messageId] > 0 then
      set[#set + 1] = 'b:' .. messageId
      set[#set + 1] = sizes[messageId]
    end
  end
  for runId, lease in pairs(leases) do
    set[#set + 1] = 'l:' .. runId
    set[#set + 1] = lease
  end
  redis.call('HSET', meta, unpack(set))
end
if #ended > 0 then redis.call('HDEL', meta, unpack(ended)) end
if changed then notify(ownerKeyOf(keyPrefix, owner, ':activity'), meta, threadId) end
flush()
return out
`;

/**
 * KEYS: meta, stream. ARGV: epoch ('' for none), after ('' for the start), limit.
 * Returns {'ok', epoch, entries} | {'reset', reason} | {'nothread'} | {'deleted'}; entries
 * holds at most limit + 1 entries (the extra one only tells the caller there is more).
 */
export const READ = `${COMPARE}
local m = redis.call('HMGET', KEYS[1], 'epoch', 'head', 'deleted')
if m[3] then return {'deleted'} end
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
 * KEYS: meta, history. ARGV: partialPrefix.
 * Returns {epoch, head, historyJson[], partials[messageId, seq, text, ...]} or {} when the
 * thread is unknown. The replies in progress are the meta fields `s:<messageId>`.
 */
export const SNAPSHOT = `
local meta = redis.call('HGETALL', KEYS[1])
local epoch, head, out = nil, nil, {}
for i = 1, #meta, 2 do
  local name = meta[i]
  if name == 'epoch' then epoch = meta[i + 1]
  elseif name == 'head' then head = meta[i + 1]
  elseif string.sub(name, 1, 2) == 's:' then
    local messageId = string.sub(name, 3)
    out[#out + 1] = messageId
    out[#out + 1] = meta[i + 1]
    out[#out + 1] = redis.call('GET', ARGV[1] .. messageId) or ''
  end
end
if not epoch then return {} end
return {epoch, head, redis.call('LRANGE', KEYS[2], 0, -1), out}
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
 * KEYS: ownerIndex, activity. ARGV: limit, keyPrefix, beforeScore ('' for the first
 * page), beforeId.
 * Returns {lastActivityId, {threadId, metaFlat, ...}, more} for the owner's most recently
 * active threads (after the thread at beforeScore/beforeId in the index's order: score
 * descending, ties by id descending): the list reflects exactly the activity up to that
 * id ('0-0': none); more is 1 when further threads follow.
 */
export const LIST_THREADS = `${TAGS}
-- Byte order, as the sorted set ranks members (Lua's own < follows the server's locale).
local function below(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)[1]
local limit = tonumber(ARGV[1])
local ids = {}
if ARGV[3] == '' then
  ids = redis.call('ZREVRANGE', KEYS[1], 0, limit)
else
  local offset, chunk = 0, limit + 1
  while #ids <= limit do
    local page = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[3], '-inf', 'WITHSCORES', 'LIMIT', offset, chunk)
    if #page == 0 then break end
    for i = 1, #page, 2 do
      -- Ties with the cursor's score come in descending id order: only ids below the cursor's follow it.
      if (tonumber(page[i + 1]) < tonumber(ARGV[3]) or below(page[i], ARGV[4])) and #ids <= limit then ids[#ids + 1] = page[i] end
    end
    offset = offset + chunk
  end
end
local out = {}
for i = 1, math.min(#ids, limit) do
  out[#out + 1] = ids[i]
  out[#out + 1] = redis.call('HGETALL', threadKeyOf(ARGV[2], ids[i], ':meta'))
end
return {last and last[1] or '0-0', out, #ids > limit and 1 or 0}
`;

const LAST_ID = `
local function lastId(stream)
  local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)[1]
  return last and last[1] or '0-0'
end
`;

/**
 * KEYS: meta. ARGV: title, at, keyPrefix, threadId.
 * Returns {'nothread'}, {'same', metaFlat} (the title already), or {'ok', metaFlat}.
 * Sets `renamedAt` (never backwards) and tells the owner's activity stream.
 */
export const RENAME_THREAD = `${FEED_OFF}${TAGS}${NOTIFY}
local m = redis.call('HMGET', KEYS[1], 'epoch', 'owner', 'title', 'renamedAt')
if not m[1] then return {'nothread'} end
if m[3] == ARGV[1] then return {'same', redis.call('HGETALL', KEYS[1])} end
local at = math.max(tonumber(ARGV[2]), tonumber(m[4] or '0') + 1)
redis.call('HSET', KEYS[1], 'title', ARGV[1], 'renamedAt', at)
notify(ownerKeyOf(ARGV[3], m[2], ':activity'), KEYS[1], ARGV[4])
flush()
return {'ok', redis.call('HGETALL', KEYS[1])}
`;

/** How long a deleted thread's last stream entry stays for the tails still open on it. */
const DELETED_STREAM_TTL_MS = 60_000;
/** How long a deleted thread's tombstone keeps answering a repeated delete (the session's lifetime). */
const TOMBSTONE_TTL_MS = 30 * 24 * 3600_000;

/**
 * KEYS: meta, stream, ids, history. ARGV: owner, at, keyPrefix, threadId, partialPrefix.
 * Returns {'nothread'}, {'forbidden'}, {'gone'} (deleted before) or {'ok'}.
 * Deletes the thread's data and leaves a tombstone meta (`owner`, `deleted`); appends
 * one last stream entry (`x` = deleted, no event) that ends the tails still open, and
 * lets the stream expire; removes the thread from the owner's index and tells the
 * owner's activity stream (an entry with `deleted` and no record).
 */
export const DELETE_THREAD = `${FEED_OFF}${TAGS}
local m = redis.call('HMGET', KEYS[1], 'owner', 'epoch', 'deleted', 'head')
if not m[1] then return {'nothread'} end
if m[1] ~= ARGV[1] then return {'forbidden'} end
if m[3] or not m[2] then return {'gone'} end
local meta = redis.call('HGETALL', KEYS[1])
for i = 1, #meta, 2 do
  if string.sub(meta[i], 1, 2) == 's:' then redis.call('DEL', ARGV[5] .. string.sub(meta[i], 3)) end
end
redis.call('DEL', KEYS[1], KEYS[3], KEYS[4])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'deleted', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ${TOMBSTONE_TTL_MS})
feed(KEYS[2], redis.call('XADD', KEYS[2], '*', 'p', m[4], 'i', 'deleted', 'x', 'deleted'), 'p', m[4], 'i', 'deleted', 'x', 'deleted')
redis.call('PEXPIRE', KEYS[2], ${DELETED_STREAM_TTL_MS})
redis.call('ZREM', ownerKeyOf(ARGV[3], ARGV[1], ':threads'), ARGV[4])
local activity = ownerKeyOf(ARGV[3], ARGV[1], ':activity')
local last = redis.call('XREVRANGE', activity, '+', '-', 'COUNT', 1)[1]
local prev = last and last[1] or '0-0'
feed(activity, redis.call('XADD', activity, 'MAXLEN', '~', ${ACTIVITY_MAXLEN}, '*', 'p', prev, 't', ARGV[4], 'deleted', ARGV[2]), 'p', prev, 't', ARGV[4], 'deleted', ARGV[2])
flush()
return {'ok'}
`;

/**
 * KEYS: meta, activity (optional). Returns {lastActivityId ('' without the activity key),
 * metaFlat} or {} when the thread is unknown: where a thread (its head, its owner, its
 * leases) and its owner's list stand, for an idle client's check.
 */
export const POSITIONS = `${LAST_ID}
local meta = redis.call('HGETALL', KEYS[1])
if #meta == 0 then return {} end
return {KEYS[2] and lastId(KEYS[2]) or '', meta}
`;

/**
 * KEYS: activity. Returns the id of the owner's newest activity entry ('0-0': none): the
 * list position, for a `positions` call whose thread and list lie in different slots.
 */
export const LIST_POSITION = `${LAST_ID}
return lastId(KEYS[1])
`;

/** KEYS: meta. ARGV: runId, expiresAt. Renews a run's lease while its reply is in progress; returns 1, or 0 when it ended. */
export const RENEW_LEASE = `
local lease = redis.call('HGET', KEYS[1], 'l:' .. ARGV[1])
if not lease then return 0 end
redis.call('HSET', KEYS[1], 'l:' .. ARGV[1], ARGV[2] .. string.sub(lease, (string.find(lease, ':', 1, true))))
return 1
`;

/** How many signals a channel keeps: watchers further behind than this may miss some. */
const SIGNAL_MAXLEN = 50;
/** A channel nobody publishes on disappears after this long. */
const SIGNAL_TTL_MS = 24 * 3600_000;

/** KEYS: channel stream. ARGV: message. Appends it, naming the entry before it (`p`). */
export const PUBLISH_SIGNAL = `${FEED_OFF}
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
local prev = last and last[1] or '0-0'
feed(KEYS[1], redis.call('XADD', KEYS[1], 'MAXLEN', '~', ${SIGNAL_MAXLEN}, '*', 'p', prev, 'm', ARGV[1]), 'p', prev, 'm', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ${SIGNAL_TTL_MS})
flush()
return 1
`;

/**
 * KEYS: channel stream. ARGV: after ('' for "now"). Returns {lastId, entries}: with no
 * `after`, the newest id and no entries (a watch begins there); else the entries after it.
 */
export const READ_SIGNALS = `
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
local head = last and last[1] or '0-0'
if ARGV[1] == '' then return {head, {}} end
return {head, redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ${SIGNAL_MAXLEN})}
`;
