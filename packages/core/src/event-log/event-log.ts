import type { ThreadState } from "../chat/reducer.ts";
import type { ChatEvent } from "../events/schemas.ts";
import type { Metrics } from "../metrics/metrics.ts";

/** One event at its position in a thread's log. `cursor` is the wire cursor (see cursor.ts). */
export interface LoggedEvent {
  readonly cursor: string;
  readonly event: ChatEvent;
}

/** Who owns a thread and what the thread list shows of it. */
export interface ThreadRecord {
  readonly id: string;
  /** The session id that created the thread; only it may read or write the thread. */
  readonly owner: string;
  /** The first user message, shortened; null until there is one. */
  readonly title: string | null;
  readonly createdAt: number;
  /** Epoch ms of the last message created, completed or failed in the thread. */
  readonly updatedAt: number;
  /** Epoch ms (server time) of the owner's last `thread.read`; absent until the first. Unread: `updatedAt > readAt`. */
  readonly readAt?: number;
  /** Epoch ms (server time) of the last rename; absent while the title is the first message's. Orders two records' titles. */
  readonly renamedAt?: number;
}

/**
 * A run's claim on its thread while it writes a reply (invariant I6): set when the run
 * starts, renewed by each of its appends and by `renewLease`, dropped when its reply
 * ends. A lease past `expiresAt` means the writer went away (a crash, kill -9, a
 * function that timed out): whoever next touches the thread ends the reply, retryably.
 */
export interface RunLease {
  readonly runId: string;
  /** The assistant message the run writes. */
  readonly messageId: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/** A thread as `getThread` reads it: the record, and the leases of its replies in progress. */
export interface ThreadWithLeases extends ThreadRecord {
  readonly leases: readonly RunLease[];
}

/**
 * Why a cursor cannot be resumed from:
 * - `trimmed`: events after it fell out of retention;
 * - `unknown`: it points past the head, so this log never issued it;
 * - `epoch`: it belongs to another incarnation of the stream (deleted or recreated).
 */
export type ResetReason = "trimmed" | "unknown" | "epoch";

export type ReadResult =
  | { readonly kind: "events"; readonly events: readonly LoggedEvent[]; readonly more: boolean }
  | { readonly kind: "reset"; readonly reason: ResetReason };

/** `deleted`: the thread was deleted (see `EventLog.deleteThread`); it is the tail's last item. */
export type TailItem =
  | { readonly kind: "events"; readonly events: readonly LoggedEvent[] }
  | { readonly kind: "reset"; readonly reason: ResetReason }
  | { readonly kind: "deleted" };

/**
 * A live follower of one thread (see `EventLog.subscribe`). The log calls it
 * synchronously, from its one feed of the thread; a method that throws affects no other
 * listener. After `reset` or `end`, nothing more is called.
 */
export interface ThreadListener {
  /**
   * The next events after the listener's position, in log order, as objects shared by every
   * listener. `receivedAt` (`performance.now()`) is when this process's feed of the thread
   * received the batch, for batches delivered live; absent for what a joiner reads while it
   * catches up (a replay: not a delivery to time).
   */
  events(events: readonly LoggedEvent[], receivedAt?: number): void;
  /** The listener's cursor is (or became) unusable: it gets a fresh snapshot elsewhere. */
  reset(reason: ResetReason): void;
  /**
   * The subscription ended without a reset: the log closed (`error` undefined), the store
   * failed (`UnavailableError`), or the feed was reset while this listener was still
   * catching up (`FeedResetError`: subscribe again from your cursor).
   */
  end(error?: unknown): void;
}

/** The thread's state folded from every event up to and including `cursor`. */
export interface Snapshot {
  readonly state: ThreadState;
  readonly cursor: string;
}

/**
 * How current an owner's thread list is: an opaque token that changes with every change
 * to one of the owner's records (and only then). Compare tokens for equality only.
 */
export type ListPosition = string;

/**
 * Where a page of the owner's list starts (see `ListOptions.before`): an opaque token
 * naming the last thread of the page before. Valid for as long as the client likes: a
 * page after it holds the threads that were older than that thread when it was made.
 */
export type PageCursor = string;

/** Which page of the owner's threads `listThreads` answers. */
export interface ListOptions {
  /** At most this many threads, 1-200 (default 100). */
  readonly limit?: number;
  /** Only threads after this page cursor (a `next` of an earlier page), in list order; absent: the first page. */
  readonly before?: PageCursor | null;
}

/**
 * One page of the owner's threads, most recently active first (ties: the greater id
 * first), the list position they are current to, and the cursor of the next page (null
 * when this page is the last).
 */
export interface ThreadList {
  readonly threads: readonly ThreadRecord[];
  readonly position: ListPosition;
  readonly next: PageCursor | null;
}

/**
 * What `watchThreads` yields: the owner's whole list (first, and again whenever the
 * watcher cannot vouch that it saw every change), or one record that changed; each with
 * the list position it brings the watcher to.
 */
export type ThreadsItem =
  | {
      readonly kind: "list";
      readonly threads: readonly ThreadRecord[];
      readonly position: ListPosition;
      readonly next: PageCursor | null;
    }
  | { readonly kind: "changed"; readonly thread: ThreadRecord; readonly position: ListPosition }
  | { readonly kind: "removed"; readonly threadId: string; readonly position: ListPosition };

/** What `deleteThread` did: `deleted` false when the thread had already been deleted. */
export interface DeleteResult {
  readonly deleted: boolean;
}

/** Where a thread's log and its owner's list stand now (see `EventLog.positions`). */
export interface Positions {
  /** The thread's owner: `positions` answers for any thread, so callers check it. */
  readonly owner: string;
  /** The leases of the thread's replies in progress (see {@link RunLease}). */
  readonly leases: readonly RunLease[];
  /** The cursor of the thread's newest event (the epoch's origin when it has none). */
  readonly cursor: string;
  /** The owner's list position. */
  readonly position: ListPosition;
}

/** Conditions of an append (see `EventLog.appendBatch`). */
export interface AppendOptions {
  /**
   * Land the batch only if the thread's newest event is still at this cursor (as a
   * `snapshot` or `positions` gave it); otherwise write nothing and reject with
   * `HeadMovedError`. Makes a decision taken over a snapshot (send: "is a reply in
   * flight?") atomic with the append that acts on it.
   */
  readonly ifHead?: string;
}

export interface AppendResult {
  /** Where the event is: its own cursor, or for a duplicate the original's (a duplicate delta: see `duplicate`). */
  readonly cursor: string;
  /**
   * True when nothing was written because the thread already held this event: an event
   * with the same id, or, for a `message.delta` of a reply in progress, a delta of the
   * same message with this seq or a later one (which no reader would apply: see the
   * reducer). A duplicate's `cursor` is the original's; a duplicate delta's is the
   * thread's head at the time (at or after the original's).
   */
  readonly duplicate: boolean;
  /** True when the log holds a stop request (`run.cancel_requested`) for the event's run: its runner should stop. */
  readonly cancelRequested: boolean;
}

/**
 * The event log: one append-only log per thread, the single source of truth for delivery.
 *
 * Ordering: within a thread, cursors increase strictly in append order, and every read
 * and tail returns events in that order. There is no order across threads.
 *
 * Delivery: `read` and `tail` return each event after the given cursor exactly once. A
 * reader that resumes from the cursor of the last event it received neither misses nor
 * repeats an event, for as long as that cursor is within retention. When it is not,
 * the reader gets an explicit reset (see {@link ResetReason}), never a partial replay.
 *
 * Idempotency: an append whose event the thread already holds (see `AppendResult`)
 * writes nothing and reports `duplicate`, also when the two appends race.
 *
 * Retention: each thread keeps at least its newest `maxEventsPerThread` events (adapters
 * may keep a few more). Messages outlive retention: `snapshot` costs in proportion to
 * the thread's messages, not to its deltas.
 *
 * Failures: when the backing store cannot be reached, methods reject with
 * `UnavailableError` (never hang past the adapter's command timeout). After `close`,
 * appends reject with `UnavailableError` and open tails end.
 */
export interface EventLog {
  /** The adapter's name, shown in the start-up banner and in health: memory, redis, upstash. */
  readonly name: string;

  /** Creates an empty thread with a fresh epoch. Rejects with `ValidationError` if the id is taken. */
  createThread(thread: { id: string; owner: string; createdAt: number }): Promise<ThreadRecord>;
  /** The thread and its runs' leases (one read), or null when it does not exist or was deleted. */
  getThread(threadId: string): Promise<ThreadWithLeases | null>;
  /**
   * One page of the owner's threads (see {@link ListOptions}, {@link ThreadList}): the
   * first page without `before`, then each next one after the `next` it gave. A thread
   * whose activity moves it to the top between two pages is on the first page, not
   * twice; deleted threads are on none. Rejects with `ValidationError` for a malformed cursor.
   */
  listThreads(owner: string, options?: ListOptions): Promise<ThreadList>;

  /**
   * Renames the thread: `title` (already checked by the caller: one line, 1-80
   * characters) replaces the first message's, for good (a first message sent after a
   * rename does not rename it back). Sets `renamedAt`; not activity (`updatedAt` and the
   * list order stay). Idempotent: the same title again changes nothing and reports no
   * change to watchers. Every watcher of the owner's list gets the record. Resolves the
   * record; rejects with `NotFoundError` for an unknown or deleted thread.
   */
  renameThread(threadId: string, title: string): Promise<ThreadRecord>;

  /**
   * Deletes the thread of `owner` for good: its events, messages and record. What stays
   * is a tombstone naming the owner, so deleting again answers `{ deleted: false }` (idempotent)
   * rather than "not found". Afterwards the thread is unknown to every method
   * (`getThread` null; `read`, `snapshot`, `append`, `positions` reject with
   * `NotFoundError`), it is on no page of `listThreads`, every watcher of the owner's
   * list gets a `removed` item, and every tail, open or opened later (while the
   * tombstone lasts), yields one `deleted` item and ends. A run still writing
   * the reply fails on its next append (`NotFoundError`).
   * Rejects with `NotFoundError` for a thread that never existed, `ForbiddenError` when
   * another owner's (deleting nothing).
   */
  deleteThread(threadId: string, owner: string): Promise<DeleteResult>;

  /**
   * The thread's owner, its head cursor and the position of `owner`'s list, in one cheap
   * read (one script call in Redis): what an idle client compares with what it holds to
   * learn whether anything changed, without holding a stream. Rejects with
   * `NotFoundError` for an unknown thread.
   */
  positions(threadId: string, owner: string): Promise<Positions>;

  /**
   * The owner's thread list, live: first the list (the first page of `listThreads`),
   * then each record when it changes (a thread created or renamed; a message created,
   * completed or failed; a read position) and each thread deleted (`removed`), in the
   * order the changes happened, until `signal` aborts or the log closes. Deltas, run starts and stop requests change no record and yield nothing.
   * Nothing is missed between the list and the changes; a change may arrive that the
   * list already held, so consumers keep, per id, what they were given last. A watcher
   * that cannot prove it saw every change (it fell behind) gets a fresh `list`. Each item
   * carries the list position it is current to (equal to `positions()`'s once the
   * watcher has seen every change).
   */
  watchThreads(owner: string, signal: AbortSignal): AsyncIterable<ThreadsItem>;

  /**
   * Ephemeral signals on a named channel (not logged, not part of any thread): what one
   * stream tells another, e.g. "a newer stream of this browser took over this thread".
   * Delivered in order to every watcher whose watch had begun when it was published, best
   * effort (a watcher that falls far behind may miss some). Channels are 1-200
   * characters of `[A-Za-z0-9_:-]`; a message is at most 1 KB.
   */
  publishSignal(channel: string, message: string): Promise<void>;
  /**
   * Begins a watch of `channel` and resolves once it has begun: the iterable yields, in
   * order, every message published after that, until `signal` aborts or the log closes.
   */
  watchSignals(channel: string, signal: AbortSignal): Promise<AsyncIterable<string>>;

  /**
   * Appends `events` (all of `threadId`) in order, in one step: atomically in Redis (one
   * script call), in one tick in memory. One result per event, in order; a duplicate
   * writes nothing and the rest of the batch still lands. Rejects with `NotFoundError`
   * for an unknown thread, and with `HeadMovedError` when `options.ifHead` is no longer
   * the head, writing nothing.
   *
   * Reply size: a batch with a delta that would grow a reply in progress past
   * `maxReplyBytes` (counted from its deltas' text, in UTF-8 bytes), or with a
   * `message.completed` whose text is longer, is refused whole (nothing of it is
   * written); the log ends that reply with `message.failed` (kind `too_large`, not
   * retryable, under the run's failed id, so the runner's own end lands as a duplicate)
   * and rejects with `ReplyTooLargeError`. The refusal is decided atomically with the
   * append; the failure is appended right after it (in Redis, one more script call).
   */
  appendBatch(threadId: string, events: readonly ChatEvent[], options?: AppendOptions): Promise<AppendResult[]>;
  /** Appends one event to `event.threadId`'s log: a batch of one. */
  append(event: ChatEvent): Promise<AppendResult>;
  /**
   * Extends a run's lease to `expiresAt` (epoch ms), while its reply is in progress; a
   * no-op once the reply ended. A runner that appends nothing for a while (the model is
   * thinking) renews it so that it is not taken for gone.
   */
  renewLease(threadId: string, runId: string, expiresAt: number): Promise<void>;
  /**
   * Every thread with a reply in progress, with its leases: for a long-lived server's
   * start-up sweep, which ends the replies a crashed process left (I6). Walks the whole
   * store (Redis: `SCAN` over the threads' meta keys, then one read for each), so it is
   * meant for start-up, in the background; never on a request's path.
   */
  scanLeases(signal?: AbortSignal): AsyncIterable<{ readonly threadId: string; readonly leases: readonly RunLease[] }>;
  /**
   * Up to `limit` events strictly after `after` (null: from the start of what is retained).
   * `more` is true when further events were already present. A `limit` of 0 only checks the cursor.
   */
  read(threadId: string, after: string | null, limit: number): Promise<ReadResult>;
  /** The thread's current state and the cursor it is current to (the epoch's origin when empty). */
  snapshot(threadId: string): Promise<Snapshot>;
  /**
   * Every event after `after`, as batches: first what is already in the log, then each
   * new append as it lands. Ends when `signal` aborts or the log closes, or after
   * yielding one reset item when `after` is (or, for a lagging reader, becomes) unusable,
   * or one `deleted` item when the thread is deleted.
   *
   * Shared objects: every tail of a thread that is following the log live receives the
   * SAME `LoggedEvent` object for the same event (compare with `===`), and must treat it
   * as immutable. Consumers may key caches by it: one encoded SSE frame serves every
   * stream of the thread (sse/event-stream.ts). Events a tail reads while catching up
   * may be other objects.
   */
  tail(threadId: string, after: string, signal: AbortSignal): AsyncIterable<TailItem>;

  /**
   * Follows a thread after `after`, pushing to `listener`: what the log holds first, then
   * every append. The same as `tail`, exactly once and in order, but one feed per thread
   * serves every subscriber of it in this process, and delivers synchronously: a
   * subscriber joining while the feed runs catches up from the log and switches to the
   * feed without a gap or a duplicate, however the join races the appends. Returns the
   * unsubscribe (idempotent; nothing is called after it).
   */
  subscribe(threadId: string, after: string, listener: ThreadListener): () => void;

  /** Resolves when the backing store answers; rejects with `UnavailableError` otherwise. */
  ping(): Promise<void>;
  /** Releases connections and timers. Idempotent. */
  close(): Promise<void>;
}

/** Options every adapter accepts. */
export interface EventLogOptions {
  /** Events kept per thread before the oldest are trimmed. */
  readonly maxEventsPerThread?: number;
  /** How long a run's lease lasts from its start or last renewal (default 20 s: see leases.ts). */
  readonly runLeaseMs?: number;
  /** The most bytes of text a reply may hold (see `appendBatch`); default and upper bound `MAX_REPLY_BYTES` (64 KB). */
  readonly maxReplyBytes?: number;
  /** Where the Redis adapters count their commands, failures and unreachable seconds (default: nowhere). */
  readonly metrics?: Metrics;
}
