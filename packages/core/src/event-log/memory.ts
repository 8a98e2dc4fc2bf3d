import { applyEvent, emptyThreadState, type ThreadState } from "../chat/reducer.ts";
import { ForbiddenError, NotFoundError, UnavailableError, ValidationError } from "../errors/index.ts";
import { MAX_REPLY_BYTES } from "../events/constants.ts";
import type { ChatEvent } from "../events/schemas.ts";
import { HeadMovedError, type Oversized, oversizedCompletion, replyTooLarge, utf8Length } from "./append-guards.ts";
import { type Cursor, compareCursors, formatCursor, newEpoch, originCursor, parseCursor } from "./cursor.ts";
import type {
  AppendOptions,
  AppendResult,
  DeleteResult,
  EventLog,
  EventLogOptions,
  ListOptions,
  LoggedEvent,
  Positions,
  ReadResult,
  RunLease,
  Snapshot,
  TailItem,
  ThreadList,
  ThreadListener,
  ThreadRecord,
  ThreadsItem,
  ThreadWithLeases,
} from "./event-log.ts";
import { ThreadHubs } from "./hub.ts";
import { DEFAULT_RUN_LEASE_MS } from "./leases.ts";
import { checkChannel, checkSignal } from "./signals.ts";
import { byListOrder, pageCursorAfter, pageSize, parsePageCursor, recordAfter, recordChanged } from "./thread-record.ts";
import { createWakeup } from "./wakeup.ts";

const DEFAULT_MAX_EVENTS = 10_000;
const TAIL_PAGE = 500;

interface Entry extends LoggedEvent {
  readonly position: Cursor;
}

/** What a trimmed slot holds until the array is compacted. */
const TRIMMED: Entry = { cursor: "", position: { epoch: "", ms: 0, seq: 0 }, event: null as unknown as ChatEvent };

/** A change to an owner's list, as watchers get it. */
type ListChange = Extract<ThreadsItem, { kind: "changed" | "removed" }>;

interface MemoryThread {
  record: ThreadRecord;
  /** Deleted: only the tombstone (the owner) is left; every method but `deleteThread` treats it as unknown. */
  deleted: boolean;
  readonly epoch: string;
  /**
   * Retained entries are `entries[first..]`: trimming moves `first` on (O(1) per append)
   * and the array is compacted only once the dead prefix outgrows the live part.
   */
  entries: Entry[];
  first: number;
  /** Position of the newest trimmed entry: cursors before it cannot be resumed. */
  trimmedThrough: Cursor;
  head: Cursor;
  state: ThreadState;
  /** Event id -> cursor, for de-duplication of all but a reply's deltas; bounded to the newest ids. */
  readonly seen: Map<string, string>;
  /** Reply in progress (message id) -> the last delta seq it holds: its deltas de-duplicate by seq. */
  readonly replySeqs: Map<string, number>;
  /** Reply in progress (message id) -> the bytes of text its deltas hold. */
  readonly replyBytes: Map<string, number>;
  /** Runs with a stop request, while their reply is in progress. */
  readonly cancelled: Set<string>;
  /** Run id -> its lease, while its reply is in progress. */
  readonly leases: Map<string, RunLease>;
  readonly waiters: Set<() => void>;
}

/**
 * The embedded event log: everything in this process's memory, gone when it exits.
 * One process only; the default for `npm start` without `REDIS_URL`.
 */
export class MemoryEventLog implements EventLog {
  readonly name = "memory";
  private readonly threads = new Map<string, MemoryThread>();
  /** Owner -> listeners of `watchThreads`. */
  private readonly ownerWatchers = new Map<string, Set<(change: ListChange | null) => void>>();
  /** Owner -> how many record changes the owner's list has seen: its list position. */
  private readonly ownerVersions = new Map<string, number>();
  /** Channel -> listeners of `watchSignals`. */
  private readonly signalWatchers = new Map<string, Set<(message: string | null) => void>>();
  private readonly maxEvents: number;
  private readonly leaseMs: number;
  private readonly maxReplyBytes: number;
  private readonly seenLimit: number;
  private closed = false;
  private lastMs = 0;
  private readonly hubs = new ThreadHubs(this);

  constructor(options: EventLogOptions = {}) {
    this.maxEvents = Math.max(1, options.maxEventsPerThread ?? DEFAULT_MAX_EVENTS);
    this.leaseMs = options.runLeaseMs ?? DEFAULT_RUN_LEASE_MS;
    this.maxReplyBytes = Math.min(options.maxReplyBytes ?? MAX_REPLY_BYTES, MAX_REPLY_BYTES);
    this.seenLimit = Math.max(this.maxEvents, 10_000);
  }

  async createThread(input: { id: string; owner: string; createdAt: number }): Promise<ThreadRecord> {
    this.assertOpen();
    if (this.threads.has(input.id)) throw new ValidationError(`thread ${input.id} already exists`);
    const epoch = newEpoch();
    const record: ThreadRecord = { ...input, title: null, updatedAt: input.createdAt };
    this.threads.set(input.id, {
      record,
      deleted: false,
      epoch,
      entries: [],
      first: 0,
      trimmedThrough: originCursor(epoch),
      head: originCursor(epoch),
      state: emptyThreadState(input.id),
      seen: new Map(),
      replySeqs: new Map(),
      replyBytes: new Map(),
      cancelled: new Set(),
      leases: new Map(),
      waiters: new Set(),
    });
    this.recordChanged(record);
    return record;
  }

  async getThread(threadId: string): Promise<ThreadWithLeases | null> {
    this.assertOpen();
    const thread = this.threads.get(threadId);
    return thread && !thread.deleted ? { ...thread.record, leases: [...thread.leases.values()] } : null;
  }

  async renewLease(threadId: string, runId: string, expiresAt: number): Promise<void> {
    this.assertOpen();
    const thread = this.requireThread(threadId);
    const lease = thread.leases.get(runId);
    if (lease) thread.leases.set(runId, { ...lease, expiresAt });
  }

  async *scanLeases(signal?: AbortSignal): AsyncIterable<{ threadId: string; leases: RunLease[] }> {
    for (const [threadId, thread] of this.threads) {
      if (signal?.aborted) return;
      if (!thread.deleted && thread.leases.size > 0) yield { threadId, leases: [...thread.leases.values()] };
    }
  }

  async listThreads(owner: string, options: ListOptions = {}): Promise<ThreadList> {
    this.assertOpen();
    const limit = pageSize(options.limit);
    const before = options.before ? parsePageCursor(options.before) : null;
    const after = before ? { ...before, owner, title: null, createdAt: 0 } : null;
    const all = [...this.threads.values()]
      .filter((t) => !t.deleted && t.record.owner === owner)
      .map((t) => t.record)
      .filter((r) => after === null || byListOrder(after, r) < 0)
      .sort(byListOrder);
    const threads = all.slice(0, limit);
    const last = threads.at(-1);
    return { threads, position: this.positionOf(owner), next: all.length > limit && last ? pageCursorAfter(last) : null };
  }

  async renameThread(threadId: string, title: string): Promise<ThreadRecord> {
    this.assertOpen();
    const thread = this.requireThread(threadId);
    if (thread.record.title === title) return thread.record;
    thread.record = { ...thread.record, title, renamedAt: Math.max(Date.now(), (thread.record.renamedAt ?? 0) + 1) };
    this.recordChanged(thread.record);
    return thread.record;
  }

  async deleteThread(threadId: string, owner: string): Promise<DeleteResult> {
    this.assertOpen();
    const thread = this.threads.get(threadId);
    if (!thread) throw new NotFoundError(`thread ${threadId} not found`);
    if (thread.record.owner !== owner) throw new ForbiddenError(`thread ${threadId} belongs to another session`);
    if (thread.deleted) return { deleted: false };
    thread.deleted = true;
    thread.entries.length = 0;
    thread.seen.clear();
    thread.replySeqs.clear();
    thread.replyBytes.clear();
    thread.cancelled.clear();
    thread.state = emptyThreadState(threadId);
    for (const wake of thread.waiters) wake();
    thread.waiters.clear();
    this.listChanged(owner, (position) => ({ kind: "removed", threadId, position }));
    return { deleted: true };
  }

  async positions(threadId: string, owner: string): Promise<Positions> {
    this.assertOpen();
    const thread = this.requireThread(threadId);
    return {
      owner: thread.record.owner,
      cursor: formatCursor(thread.head),
      position: this.positionOf(owner),
      leases: [...thread.leases.values()],
    };
  }

  async append(event: ChatEvent): Promise<AppendResult> {
    return (await this.appendBatch(event.threadId, [event]))[0] as AppendResult;
  }

  async appendBatch(threadId: string, events: readonly ChatEvent[], options: AppendOptions = {}): Promise<AppendResult[]> {
    this.assertOpen();
    const thread = this.requireThread(threadId);
    for (const event of events) {
      if (event.threadId !== threadId) throw new ValidationError(`event ${event.id} belongs to thread ${event.threadId}, not ${threadId}`);
    }
    if (options.ifHead !== undefined && options.ifHead !== formatCursor(thread.head)) throw new HeadMovedError(threadId);
    const oversized = this.oversizedReply(thread, events);
    if (oversized) {
      const { failure, error } = replyTooLarge(threadId, oversized.event, oversized.bytes, this.maxReplyBytes);
      this.landed(thread, [this.appendOne(thread, failure)]);
      throw error;
    }
    return this.landed(
      thread,
      events.map((event) => this.appendOne(thread, event)),
    );
  }

  /** After an append: trims, and wakes the tails when anything landed. */
  private landed(thread: MemoryThread, results: AppendResult[]): AppendResult[] {
    const first = results.find((r) => !r.duplicate);
    if (first) {
      // When it committed: the start of its delivery latency (see ThreadHubs.committed).
      this.hubs.committed(thread.record.id, first.cursor, performance.now());
      this.trim(thread);
      for (const wake of thread.waiters) wake();
      thread.waiters.clear();
    }
    return results;
  }

  /** The first event of `events` that would grow its reply past the limit (see the port), with the size it would reach. */
  private oversizedReply(thread: MemoryThread, events: readonly ChatEvent[]): Oversized | null {
    const seqs = new Map<string, number>();
    const sizes = new Map<string, number>();
    for (const event of events) {
      const id = "messageId" in event ? event.messageId : "";
      if (event.type === "run.started" && !thread.replySeqs.has(id) && !seqs.has(id)) seqs.set(id, -1);
      if (event.type !== "message.delta") continue;
      const from = seqs.get(id) ?? thread.replySeqs.get(id);
      if (from === undefined || event.seq <= from) continue;
      seqs.set(id, event.seq);
      const bytes = (sizes.get(id) ?? thread.replyBytes.get(id) ?? 0) + utf8Length(event.text);
      sizes.set(id, bytes);
      if (bytes > this.maxReplyBytes) return { event, bytes };
    }
    return oversizedCompletion(events, this.maxReplyBytes);
  }

  private appendOne(thread: MemoryThread, event: ChatEvent): AppendResult {
    const runId = "runId" in event ? event.runId : undefined;
    const cancelRequested = () => runId !== undefined && thread.cancelled.has(runId);
    // A delta of a reply in progress is a duplicate at or below the seq already applied (as in Redis).
    const inProgress = event.type === "message.delta" ? thread.replySeqs.get(event.messageId) : undefined;
    if (event.type === "message.delta" && inProgress !== undefined && event.seq <= inProgress) {
      return { cursor: formatCursor(thread.head), duplicate: true, cancelRequested: cancelRequested() };
    }
    const existing = inProgress === undefined ? thread.seen.get(event.id) : undefined;
    if (existing) return { cursor: existing, duplicate: true, cancelRequested: cancelRequested() };

    const position = this.nextPosition(thread);
    const cursor = formatCursor(position);
    thread.entries.push({ cursor, event, position });
    thread.head = position;
    thread.state = applyEvent(thread.state, event);
    const before = thread.record;
    thread.record = recordAfter(before, event);
    if (recordChanged(before, thread.record)) this.recordChanged(thread.record);
    if (event.type === "message.delta" && inProgress !== undefined) {
      thread.replySeqs.set(event.messageId, event.seq);
      thread.replyBytes.set(event.messageId, (thread.replyBytes.get(event.messageId) ?? 0) + utf8Length(event.text));
      thread.leases.set(event.runId, { runId: event.runId, messageId: event.messageId, expiresAt: event.at + this.leaseMs });
    } else thread.seen.set(event.id, cursor);
    if (event.type === "run.started") {
      if (!thread.replySeqs.has(event.messageId)) thread.replySeqs.set(event.messageId, -1);
      thread.leases.set(event.runId, { runId: event.runId, messageId: event.messageId, expiresAt: event.at + this.leaseMs });
    }
    if (event.type === "message.completed" || event.type === "message.failed") {
      thread.replySeqs.delete(event.messageId);
      thread.replyBytes.delete(event.messageId);
      thread.cancelled.delete(event.runId);
      thread.leases.delete(event.runId);
    }
    if (event.type === "run.cancel_requested") thread.cancelled.add(event.runId);
    return { cursor, duplicate: false, cancelRequested: cancelRequested() };
  }

  async read(threadId: string, after: string | null, limit: number): Promise<ReadResult> {
    this.assertOpen();
    return this.readNow(this.requireThread(threadId), after, limit);
  }

  async snapshot(threadId: string): Promise<Snapshot> {
    this.assertOpen();
    const thread = this.requireThread(threadId);
    return { state: thread.state, cursor: formatCursor(thread.head) };
  }

  subscribe(threadId: string, after: string, listener: ThreadListener): () => void {
    return this.hubs.subscribe(threadId, after, listener);
  }

  async *tail(threadId: string, after: string, signal: AbortSignal): AsyncIterable<TailItem> {
    const thread = this.threads.get(threadId);
    if (!thread) throw new NotFoundError(`thread ${threadId} not found`);
    let cursor = after;
    while (!signal.aborted && !this.closed) {
      if (thread.deleted) {
        yield { kind: "deleted" };
        return;
      }
      const result = this.readNow(thread, cursor, TAIL_PAGE);
      if (result.kind === "reset") {
        yield result;
        return;
      }
      const last = result.events.at(-1);
      if (last) {
        cursor = last.cursor;
        yield { kind: "events", events: result.events };
        continue;
      }
      await this.nextAppend(thread, signal);
    }
  }

  async *watchThreads(owner: string, signal: AbortSignal): AsyncIterable<ThreadsItem> {
    this.assertOpen();
    const changes: ListChange[] = [];
    for await (const change of this.listen(this.ownerWatchers, owner, changes, signal)) {
      if (change === "begun") {
        const { threads, position, next } = await this.listThreads(owner);
        yield { kind: "list", threads, position, next };
      } else yield change;
    }
  }

  async publishSignal(channel: string, message: string): Promise<void> {
    this.assertOpen();
    checkSignal(channel, message);
    for (const notify of this.signalWatchers.get(channel) ?? []) notify(message);
  }

  async watchSignals(channel: string, signal: AbortSignal): Promise<AsyncIterable<string>> {
    this.assertOpen();
    checkChannel(channel);
    const listening = this.listen(this.signalWatchers, channel, [], signal)[Symbol.asyncIterator]();
    await listening.next(); // "begun": the listener is registered
    return {
      async *[Symbol.asyncIterator]() {
        for (let item = await listening.next(); !item.done; item = await listening.next()) {
          if (item.value !== "begun") yield item.value;
        }
      },
    };
  }

  /**
   * Registers a listener under `key`, yields "begun" once it is registered, then every
   * value the listener is given, in order, until `signal` aborts or the log closes.
   */
  private async *listen<T>(
    registry: Map<string, Set<(value: T | null) => void>>,
    key: string,
    queue: T[],
    signal: AbortSignal,
  ): AsyncIterable<T | "begun"> {
    const { wait, wake } = createWakeup();
    const notify = (value: T | null) => {
      if (value !== null) queue.push(value);
      wake();
    };
    const onAbort = () => notify(null);
    const listeners = registry.get(key) ?? new Set();
    registry.set(key, listeners);
    listeners.add(notify);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      yield "begun";
      while (!signal.aborted && !this.closed) {
        const value = queue.shift();
        if (value !== undefined) {
          yield value;
          continue;
        }
        await wait();
      }
    } finally {
      listeners.delete(notify);
      if (listeners.size === 0) registry.delete(key);
      signal.removeEventListener("abort", onAbort);
    }
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.hubs.close();
    for (const thread of this.threads.values()) {
      for (const wake of thread.waiters) wake();
      thread.waiters.clear();
    }
    for (const registry of [this.ownerWatchers, this.signalWatchers]) {
      for (const watchers of registry.values()) for (const notify of watchers) notify(null);
    }
  }

  private positionOf(owner: string): string {
    return String(this.ownerVersions.get(owner) ?? 0);
  }

  private recordChanged(record: ThreadRecord): void {
    this.listChanged(record.owner, (position) => ({ kind: "changed", thread: record, position }));
  }

  /** Moves the owner's list position and tells its watchers what changed. */
  private listChanged(owner: string, change: (position: string) => ListChange): void {
    const version = (this.ownerVersions.get(owner) ?? 0) + 1;
    this.ownerVersions.set(owner, version);
    const item = change(String(version));
    for (const notify of this.ownerWatchers.get(owner) ?? []) notify(item);
  }

  private readNow(thread: MemoryThread, after: string | null, limit: number): ReadResult {
    let start = thread.first;
    if (after !== null) {
      const position = parseCursor(after);
      if (position.epoch !== thread.epoch) return { kind: "reset", reason: "epoch" };
      if (compareCursors(position, thread.head) > 0) return { kind: "reset", reason: "unknown" };
      if (compareCursors(position, thread.trimmedThrough) < 0) return { kind: "reset", reason: "trimmed" };
      start = firstAfter(thread.entries, thread.first, position);
    }
    const end = Math.min(thread.entries.length, start + Math.max(0, limit));
    // The stored entries themselves (LoggedEvent plus their position): every reader gets
    // the same objects, so a stream encodes each event once for all its subscribers.
    const events = thread.entries.slice(start, end);
    return { kind: "events", events, more: end < thread.entries.length };
  }

  private nextAppend(thread: MemoryThread, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        signal.removeEventListener("abort", wake);
        thread.waiters.delete(wake);
        resolve();
      };
      thread.waiters.add(wake);
      signal.addEventListener("abort", wake, { once: true });
    });
  }

  private nextPosition(thread: MemoryThread): Cursor {
    // Redis-like ids: milliseconds, then a sequence within the millisecond; never backwards.
    const ms = Math.max(Date.now(), this.lastMs, thread.head.ms);
    this.lastMs = ms;
    const seq = ms === thread.head.ms ? thread.head.seq + 1 : 0;
    return { epoch: thread.epoch, ms, seq };
  }

  private trim(thread: MemoryThread): void {
    const excess = thread.entries.length - thread.first - this.maxEvents;
    if (excess > 0) {
      // The trimmed slots let go of their events at once (the array itself is compacted
      // only now and then): what the log holds is its last `maxEvents` events.
      for (let i = thread.first; i < thread.first + excess - 1; i++) thread.entries[i] = TRIMMED;
      thread.first += excess;
      thread.trimmedThrough = (thread.entries[thread.first - 1] as Entry).position;
      thread.entries[thread.first - 1] = { ...TRIMMED, position: thread.trimmedThrough };
      if (thread.first > 1024 && thread.first > thread.entries.length - thread.first) {
        thread.entries = thread.entries.slice(thread.first);
        thread.first = 0;
      }
    }
    if (thread.seen.size > this.seenLimit) {
      const drop = thread.seen.size - this.seenLimit;
      let i = 0;
      for (const key of thread.seen.keys()) {
        if (i++ >= drop) break;
        thread.seen.delete(key);
      }
    }
  }

  private requireThread(threadId: string): MemoryThread {
    const thread = this.threads.get(threadId);
    if (!thread) throw new NotFoundError(`thread ${threadId} not found`);
    if (thread.deleted) throw new NotFoundError(`thread ${threadId} was deleted`);
    return thread;
  }

  private assertOpen(): void {
    if (this.closed) throw new UnavailableError("event log is closed");
  }
}

/** Creates the embedded in-memory event log. */
export function createMemoryEventLog(options: EventLogOptions = {}): MemoryEventLog {
  return new MemoryEventLog(options);
}

function firstAfter(entries: readonly Entry[], from: number, position: Cursor): number {
  let lo = from;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareCursors((entries[mid] as Entry).position, position) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
