/**
 * Key names under a prefix of app and stage (e.g. `murmur:production`), so stages can
 * share one database without seeing each other:
 * - `{prefix}:thread:{id}`: the delivery stream (one entry per event);
 * - `{prefix}:thread:{id}:meta`: hash of owner, title, createdAt, updatedAt, readAt,
 *   renamedAt, epoch, head, and per reply in progress `s:{messageId}` (its last delta seq)
 *   and per stopped run `c:{runId}` (a stop was requested), both removed when the reply
 *   ends; after a delete, a tombstone of `owner` and `deleted` (epoch ms) that expires;
 * - `{prefix}:thread:{id}:ids`: hash event id -> stream id, for de-duplication of every
 *   event but the deltas of a reply in progress (those go by seq);
 * - `{prefix}:thread:{id}:history`: list of every non-delta event, for snapshots;
 * - `{prefix}:thread:{id}:partial:{messageId}`: the text so far of a reply in progress;
 * - `{prefix}:owner:{sessionId}:threads`: sorted set of the owner's threads by last activity;
 * - `{prefix}:owner:{sessionId}:activity`: a short stream of the owner's thread records
 *   as they change (fields `p`, the previous entry's id, and `t`, the thread id, then the
 *   record's fields, or `deleted` for a thread deleted), which live thread lists follow;
 * - `{prefix}:signal:{channel}`: a short stream of ephemeral signals (fields `p` and `m`).
 */
export interface ThreadKeys {
  readonly stream: string;
  readonly meta: string;
  readonly ids: string;
  readonly history: string;
  /** Prefix of the per-message partial-text keys; the message id follows. */
  readonly partialPrefix: string;
}

const PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Checks a key prefix. @throws TypeError when it holds characters that could collide. */
export function checkPrefix(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) throw new TypeError(`key prefix "${prefix}" must be 1-64 characters of A-Z a-z 0-9 _ . : -`);
  return prefix;
}

export function threadKeys(prefix: string, threadId: string): ThreadKeys {
  const stream = `${prefix}:thread:${threadId}`;
  return {
    stream,
    meta: `${stream}:meta`,
    ids: `${stream}:ids`,
    history: `${stream}:history`,
    partialPrefix: `${stream}:partial:`,
  };
}

export function ownerKey(prefix: string, owner: string): string {
  return `${prefix}:owner:${owner}:threads`;
}

export function activityKey(prefix: string, owner: string): string {
  return `${prefix}:owner:${owner}:activity`;
}

export function signalKey(prefix: string, channel: string): string {
  return `${prefix}:signal:${channel}`;
}
