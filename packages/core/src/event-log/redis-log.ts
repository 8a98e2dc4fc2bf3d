import type { ChatEvent } from "../chat/events.ts";
import { type ChatMessage, emptyThreadState, foldEvents, type ThreadState } from "../chat/reducer.ts";
import { MurmurError, NotFoundError, UnavailableError, ValidationError } from "../errors/index.ts";
import { entryId, formatCursor, newEpoch, parseCursor } from "./cursor.ts";
import type {
  AppendResult,
  EventLog,
  EventLogOptions,
  LoggedEvent,
  ReadResult,
  ResetReason,
  Snapshot,
  TailItem,
  ThreadRecord,
  ThreadsItem,
} from "./event-log.ts";
import { compareIds, field, isContiguous, toRecord } from "./redis-entries.ts";
import { activityKey, checkPrefix, ownerKey, threadKeys } from "./redis-keys.ts";
import { APPEND, CREATE_THREAD, GET_THREAD, LIST_THREADS, READ, SNAPSHOT } from "./redis-scripts.ts";
import type { RawEntry, StreamTailer } from "./redis-tailer.ts";
import { watchActivity } from "./redis-threads-watch.ts";
import { titleFromText } from "./thread-record.ts";
import { createWakeup } from "./wakeup.ts";

/** Runs a Lua script (by SHA when cached). Transport errors reject; the caller maps them. */
export interface ScriptRunner {
  run(script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface RedisLogOptions extends EventLogOptions {
  /** Key prefix of app and stage, e.g. `murmur:local`. */
  readonly prefix: string;
}

const DEFAULT_MAX_EVENTS = 10_000;
const PAGE = 500;

/**
 * The event log over Redis Streams, independent of the transport: the Redis (TCP) and
 * Upstash (REST) adapters give it a script runner and a tailer. See redis-scripts.ts
 * for the data layout and redis-keys.ts for the keys.
 */
export class RedisBackedEventLog implements EventLog {
  private readonly prefix: string;
  private readonly maxEvents: number;
  private readonly slack: number;
  private readonly wakers = new Set<() => void>();
  /** Entries decoded once for every tail the shared reader hands them to (see sse/event-stream.ts). */
  private readonly decoded = new WeakMap<RawEntry, LoggedEvent>();
  private closed = false;

  constructor(
    readonly name: string,
    private readonly runner: ScriptRunner,
    private readonly tailer: StreamTailer,
    options: RedisLogOptions,
  ) {
    this.prefix = checkPrefix(options.prefix);
    this.maxEvents = Math.max(1, options.maxEventsPerThread ?? DEFAULT_MAX_EVENTS);
    // Trim in steps, so trimming costs O(1) per append on average.
    this.slack = Math.min(1000, Math.max(10, Math.floor(this.maxEvents / 10)));
  }

  async createThread(input: { id: string; owner: string; createdAt: number }): Promise<ThreadRecord> {
    const keys = threadKeys(this.prefix, input.id);
    const created = await this.run(
      CREATE_THREAD,
      [keys.meta, ownerKey(this.prefix, input.owner), activityKey(this.prefix, input.owner)],
      [input.owner, input.createdAt, newEpoch(), input.id],
    );
    if (Number(created) !== 1) throw new ValidationError(`thread ${input.id} already exists`);
    return { ...input, title: null, updatedAt: input.createdAt };
  }

  async getThread(threadId: string): Promise<ThreadRecord | null> {
    const flat = (await this.run(GET_THREAD, [threadKeys(this.prefix, threadId).meta], [])) as string[];
    return toRecord(threadId, flat);
  }

  async listThreads(owner: string, limit = 100): Promise<ThreadRecord[]> {
    return (await this.listWithPosition(owner, limit)).threads;
  }

  watchThreads(owner: string, signal: AbortSignal): AsyncIterable<ThreadsItem> {
    return watchActivity(
      {
        key: activityKey(this.prefix, owner),
        tailer: this.tailer,
        list: () => this.listWithPosition(owner),
        onClose: (wake) => {
          this.wakers.add(wake);
          return () => this.wakers.delete(wake);
        },
        isClosed: () => this.closed,
      },
      signal,
    );
  }

  async append(event: ChatEvent): Promise<AppendResult> {
    const keys = threadKeys(this.prefix, event.threadId);
    const messageId = "messageId" in event ? event.messageId : "";
    const reply = (await this.run(
      APPEND,
      [keys.meta, keys.stream, keys.ids, keys.history, keys.partials, `${keys.partialPrefix}${messageId}`],
      [
        event.id,
        JSON.stringify(event),
        event.type,
        this.maxEvents,
        this.slack,
        messageId,
        event.type === "message.delta" ? event.seq : 0,
        event.type === "message.delta" ? event.text : "",
        event.type === "message.created" ? titleFromText(event.text) : "",
        event.at,
        `${this.prefix}:owner:`,
        event.threadId,
      ],
    )) as string[];
    if (reply[0] === "nothread") throw new NotFoundError(`thread ${event.threadId} not found`);
    const cursor = `${reply[2]}:${reply[1]}`;
    return { cursor, duplicate: reply[0] === "dup" };
  }

  async read(threadId: string, after: string | null, limit: number): Promise<ReadResult> {
    const position = after === null ? null : parseCursor(after);
    const keys = threadKeys(this.prefix, threadId);
    const reply = (await this.run(
      READ,
      [keys.meta, keys.stream],
      [position?.epoch ?? "", position ? entryId(position) : "", Math.max(0, limit)],
    )) as unknown[];
    if (reply[0] === "nothread") throw new NotFoundError(`thread ${threadId} not found`);
    if (reply[0] === "reset") return { kind: "reset", reason: reply[1] as ResetReason };
    const epoch = String(reply[1]);
    const entries = reply[2] as RawEntry[];
    const kept = entries.slice(0, Math.max(0, limit));
    return { kind: "events", events: kept.map((entry) => decodeEntry(epoch, entry)), more: entries.length > kept.length };
  }

  async snapshot(threadId: string): Promise<Snapshot> {
    const keys = threadKeys(this.prefix, threadId);
    const reply = (await this.run(SNAPSHOT, [keys.meta, keys.history, keys.partials], [keys.partialPrefix])) as unknown[];
    if (reply.length === 0) throw new NotFoundError(`thread ${threadId} not found`);
    const [epoch, head, history, partials] = reply as [string, string, string[], string[]];
    const events = history.map((json) => JSON.parse(json) as ChatEvent);
    let state: ThreadState = foldEvents(emptyThreadState(threadId), events);
    for (let i = 0; i < partials.length; i += 3) {
      state = withPartial(state, partials[i] as string, Number(partials[i + 1]), partials[i + 2] ?? "");
    }
    const [ms, seq] = head.split("-").map(Number) as [number, number];
    return { state, cursor: formatCursor({ epoch, ms, seq }) };
  }

  async *tail(threadId: string, after: string, signal: AbortSignal): AsyncIterable<TailItem> {
    const epoch = parseCursor(after).epoch;
    const stream = threadKeys(this.prefix, threadId).stream;
    let cursor = after;
    const queue: RawEntry[] = [];
    const { wait, wake: notify } = createWakeup();
    let unwatch: (() => void) | null = null;
    this.wakers.add(notify);
    signal.addEventListener("abort", notify, { once: true });
    try {
      // Catch up from the log, then follow the shared reader; whenever its entries do not
      // continue exactly at our cursor (we joined late, or it skipped), catch up again.
      let catchUp = true;
      while (!signal.aborted && !this.closed) {
        if (catchUp) {
          const result = await this.read(threadId, cursor, PAGE);
          if (result.kind === "reset") {
            yield result;
            return;
          }
          if (result.events.length > 0) {
            cursor = (result.events.at(-1) as LoggedEvent).cursor;
            yield { kind: "events", events: result.events };
          }
          if (result.more) continue;
          if (!unwatch) {
            unwatch = this.tailer.watch(stream, entryId(parseCursor(cursor)), (entries) => {
              queue.push(...entries);
              notify();
            });
            // Read once more now that we watch: the shared reader may have passed entries
            // appended between our read and the watch to earlier watchers only.
            continue;
          }
          catchUp = false;
        }
        if (queue.length === 0) {
          await wait();
          continue;
        }
        const current = entryId(parseCursor(cursor));
        const fresh = queue.splice(0).filter((entry) => compareIds(entry[0], current) > 0);
        if (fresh.length === 0) continue;
        if (!isContiguous(current, fresh)) {
          catchUp = true;
          continue;
        }
        const events = fresh.map((entry) => this.decodeShared(epoch, entry));
        cursor = (events.at(-1) as LoggedEvent).cursor;
        yield { kind: "events", events };
      }
    } finally {
      unwatch?.();
      this.wakers.delete(notify);
      signal.removeEventListener("abort", notify);
    }
  }

  async ping(): Promise<void> {
    if (this.closed) throw new UnavailableError("event log is closed");
    try {
      await this.runner.ping();
    } catch (cause) {
      throw unavailable(cause);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const wake of this.wakers) wake();
    await Promise.allSettled([this.tailer.close(), this.runner.close()]);
  }

  private decodeShared(epoch: string, entry: RawEntry): LoggedEvent {
    const cached = this.decoded.get(entry);
    if (cached?.cursor.startsWith(`${epoch}:`)) return cached;
    const logged = decodeEntry(epoch, entry);
    this.decoded.set(entry, logged);
    return logged;
  }

  /** The owner's threads and the id of the newest activity entry the list reflects. */
  private async listWithPosition(owner: string, limit = 100): Promise<{ threads: ThreadRecord[]; last: string }> {
    const [last, flat] = (await this.run(
      LIST_THREADS,
      [ownerKey(this.prefix, owner), activityKey(this.prefix, owner)],
      [limit, `${this.prefix}:thread:`],
    )) as [string, unknown[]];
    const threads: ThreadRecord[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const record = toRecord(String(flat[i]), flat[i + 1] as string[]);
      if (record) threads.push(record);
    }
    threads.sort((a, b) => b.updatedAt - a.updatedAt || b.createdAt - a.createdAt);
    return { threads, last: String(last) };
  }

  private async run(script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (this.closed) throw new UnavailableError("event log is closed");
    try {
      return await this.runner.run(script, keys, args);
    } catch (cause) {
      throw unavailable(cause);
    }
  }
}

function unavailable(cause: unknown): MurmurError {
  if (cause instanceof MurmurError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new UnavailableError(`event log unreachable: ${detail}`, { cause });
}

function decodeEntry(epoch: string, [id, fields]: RawEntry): LoggedEvent {
  return { cursor: `${epoch}:${id}`, event: JSON.parse(field(fields, "e") ?? "null") as ChatEvent };
}

function withPartial(state: ThreadState, messageId: string, seq: number, text: string): ThreadState {
  if (seq < 0) return state;
  const messages = state.messages.map(
    (m): ChatMessage => (m.id === messageId && m.status === "streaming" ? { ...m, text, lastSeq: seq } : m),
  );
  return { ...state, messages };
}
