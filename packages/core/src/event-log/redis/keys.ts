import { createHash } from "node:crypto";

/**
 * Key names under a prefix of app and stage (e.g. `murmur:production`), so stages can
 * share one database without seeing each other. Every key carries a hash tag (`{...}`),
 * so each script touches one slot and the log runs on a Redis Cluster:
 * - a thread's keys are tagged with its id's tag: new thread ids embed their owner's tag
 *   (`t_<owner tag><random>`, see {@link newThreadId}), so an owner's threads, their
 *   list and their activity share one slot and a script can write a thread and its
 *   owner's list at once; an id without a tag is its own tag (single-node Redis only);
 * - an owner's keys are tagged with the owner's tag (the first 8 hex digits of the SHA-1
 *   of the owner id, which the scripts compute with `redis.sha1hex` too).
 *
 * - `{prefix}:{tag}:thread:{id}`: the delivery stream (one entry per event);
 * - `{prefix}:{tag}:thread:{id}:meta`: hash of owner, title, createdAt, updatedAt, readAt,
 *   renamedAt, epoch, head, and per reply in progress `s:{messageId}` (its last delta seq)
 *   and `b:{messageId}` (the bytes of its text so far), per stopped run `c:{runId}` (a stop
 *   was requested), all removed when the reply ends; after a delete, a tombstone of
 *   `owner` and `deleted` (epoch ms) that expires;
 * - `{prefix}:{tag}:thread:{id}:ids`: hash event id -> stream id, for de-duplication of every
 *   event but the deltas of a reply in progress (those go by seq);
 * - `{prefix}:{tag}:thread:{id}:history`: list of every non-delta event, for snapshots;
 * - `{prefix}:{tag}:thread:{id}:partial:{messageId}`: the text so far of a reply in progress;
 * - `{prefix}:{tag}:owner:{sessionId}:threads`: sorted set of the owner's threads by last activity;
 * - `{prefix}:{tag}:owner:{sessionId}:activity`: a short stream of the owner's thread records
 *   as they change (fields `p`, the previous entry's id, and `t`, the thread id, then the
 *   record's fields, or `deleted` for a thread deleted), which live thread lists follow;
 * - `{prefix}:{tag}:signal:{channel}`: a short stream of ephemeral signals (fields `p` and `m`).
 * - `{prefix}:{tag}:limit:{sessionId}:...`: the limits' state (limits/redis.ts), under the
 *   session's owner tag, so a check touches one slot.
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

/** The hash tag of an owner (a session id): 8 hex digits of its SHA-1, as the scripts' `redis.sha1hex` computes it. */
export function ownerTag(owner: string): string {
  return createHash("sha1").update(owner).digest("hex").slice(0, 8);
}

const TAGGED_THREAD = /^t_([0-9a-fA-F]{8})/;

/** A thread id's hash tag: the owner tag it embeds, or the whole id (see the layout above). */
export function threadTag(threadId: string): string {
  return TAGGED_THREAD.exec(threadId)?.[1] ?? threadId;
}

/** A new thread id for `owner`, carrying the owner's tag: `t_<8 hex><24 hex>` (32 hex digits after `t_`). */
export function newThreadId(owner: string): string {
  const random = crypto.getRandomValues(new Uint8Array(12));
  let hex = "";
  for (const b of random) hex += b.toString(16).padStart(2, "0");
  return `t_${ownerTag(owner)}${hex}`;
}

export function threadKeys(prefix: string, threadId: string): ThreadKeys {
  const stream = `${prefix}:{${threadTag(threadId)}}:thread:${threadId}`;
  return {
    stream,
    meta: `${stream}:meta`,
    ids: `${stream}:ids`,
    history: `${stream}:history`,
    partialPrefix: `${stream}:partial:`,
  };
}

export function ownerKey(prefix: string, owner: string): string {
  return `${prefix}:{${ownerTag(owner)}}:owner:${owner}:threads`;
}

export function activityKey(prefix: string, owner: string): string {
  return `${prefix}:{${ownerTag(owner)}}:owner:${owner}:activity`;
}

export function signalKey(prefix: string, channel: string): string {
  return `${prefix}:{${ownerTag(channel)}}:signal:${channel}`;
}
