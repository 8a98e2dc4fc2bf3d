import { applyEvent, emptyThreadState, type ThreadState } from "../chat/reducer.ts";
import { NotFoundError, UnavailableError, ValidationError } from "../errors/index.ts";
import type { ChatEvent } from "../events/schemas.ts";
import { type Cursor, compareCursors, formatCursor, newEpoch, originCursor, parseCursor } from "./cursor.ts";
import type {
  AppendResult,
  EventLog,
  EventLogOptions,
  LoggedEvent,
  ReadResult,
  Snapshot,
  TailItem,
  ThreadRecord,
  ThreadsItem,
} from "./event-log.ts";
import { recordAfter, recordChanged } from "./thread-record.ts";
import { createWakeup } from "./wakeup.ts";

const DEFAULT_MAX_EVENTS = 10_000;
const TAIL_PAGE = 500;

interface Entry extends LoggedEvent {
  readonly position: Cursor;
}

interface MemoryThread {
  record: ThreadRecord;
  readonly epoch: string;
  readonly entries: Entry[];
  /** Position of the newest trimmed entry: cursors before it cannot be resumed. */
  trimmedThrough: Cursor;
  head: Cursor;
  state: ThreadState;
  /** Event id -> cursor, for de-duplication; bounded to the newest ids. */
  readonly seen: Map<string, string>;
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
  private readonly ownerWatchers = new Map<string, Set<(record: ThreadRecord | null) => void>>();
  private readonly maxEvents: number;
  private readonly seenLimit: number;
  private closed = false;
  private lastMs = 0;

  constructor(options: EventLogOptions = {}) {
    this.maxEvents = Math.max(1, options.maxEventsPerThread ?? DEFAULT_MAX_EVENTS);
    this.seenLimit = Math.max(this.maxEvents, 10_000);
  }

  async createThread(input: { id: string; owner: string; createdAt: number }): Promise<ThreadRecord> {
    this.assertOpen();
    if (this.threads.has(input.id)) throw new ValidationError(`thread ${input.id} already exists`);
    const epoch = newEpoch();
    const record: ThreadRecord = { ...input, title: null, updatedAt: input.createdAt };
    this.threads.set(input.id, {
      record,
      epoch,
      entries: [],
      trimmedThrough: originCursor(epoch),
      head: originCursor(epoch),
      state: emptyThreadState(input.id),
      seen: new Map(),
      waiters: new Set(),
    });
    this.recordChanged(record);
    return record;
  }

  async getThread(threadId: string): Promise<ThreadRecord | null> {
    this.assertOpen();
    return this.threads.get(threadId)?.record ?? null;
  }

  async listThreads(owner: string, limit = 100): Promise<ThreadRecord[]> {
    this.assertOpen();
    return [...this.threads.values()]
      .map((t) => t.record)
      .filter((r) => r.owner === owner)
      .sort((a, b) => b.updatedAt - a.updatedAt || b.createdAt - a.createdAt)
      .slice(0, limit);
  }

  async append(event: ChatEvent): Promise<AppendResult> {
    this.assertOpen();
    const thread = this.requireThread(event.threadId);
    const existing = thread.seen.get(event.id);
    if (existing) return { cursor: existing, duplicate: true };

    const position = this.nextPosition(thread);
    const cursor = formatCursor(position);
    thread.entries.push({ cursor, event, position });
    thread.head = position;
    thread.state = applyEvent(thread.state, event);
    const before = thread.record;
    thread.record = recordAfter(before, event);
    if (recordChanged(before, thread.record)) this.recordChanged(thread.record);
    thread.seen.set(event.id, cursor);
    this.trim(thread);
    for (const wake of thread.waiters) wake();
    thread.waiters.clear();
    return { cursor, duplicate: false };
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

  async *tail(threadId: string, after: string, signal: AbortSignal): AsyncIterable<TailItem> {
    const thread = this.requireThread(threadId);
    let cursor = after;
    while (!signal.aborted && !this.closed) {
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
    const queue: ThreadRecord[] = [];
    const { wait, wake } = createWakeup();
    const notify = (record: ThreadRecord | null) => {
      if (record) queue.push(record);
      wake();
    };
    const onAbort = () => notify(null);
    const watchers = this.ownerWatchers.get(owner) ?? new Set();
    this.ownerWatchers.set(owner, watchers);
    watchers.add(notify);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      yield { kind: "list", threads: await this.listThreads(owner) };
      while (!signal.aborted && !this.closed) {
        const record = queue.shift();
        if (record) {
          yield { kind: "changed", thread: record };
          continue;
        }
        await wait();
      }
    } finally {
      watchers.delete(notify);
      if (watchers.size === 0) this.ownerWatchers.delete(owner);
      signal.removeEventListener("abort", onAbort);
    }
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const thread of this.threads.values()) {
      for (const wake of thread.waiters) wake();
      thread.waiters.clear();
    }
    for (const watchers of this.ownerWatchers.values()) for (const notify of watchers) notify(null);
  }

  private recordChanged(record: ThreadRecord): void {
    for (const notify of this.ownerWatchers.get(record.owner) ?? []) notify(record);
  }

  private readNow(thread: MemoryThread, after: string | null, limit: number): ReadResult {
    let start = 0;
    if (after !== null) {
      const position = parseCursor(after);
      if (position.epoch !== thread.epoch) return { kind: "reset", reason: "epoch" };
      if (compareCursors(position, thread.head) > 0) return { kind: "reset", reason: "unknown" };
      if (compareCursors(position, thread.trimmedThrough) < 0) return { kind: "reset", reason: "trimmed" };
      start = firstAfter(thread.entries, position);
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
    const excess = thread.entries.length - this.maxEvents;
    if (excess > 0) {
      const removed = thread.entries.splice(0, excess);
      thread.trimmedThrough = (removed.at(-1) as Entry).position;
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

function firstAfter(entries: readonly Entry[], position: Cursor): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareCursors((entries[mid] as Entry).position, position) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
