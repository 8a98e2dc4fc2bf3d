import { type ChatMessage, emptyThreadState, foldEvents, type ThreadState } from "../../chat/reducer.ts";
import { ForbiddenError, MurmurError, NotFoundError, UnavailableError, ValidationError } from "../../errors/index.ts";
import { MAX_REPLY_BYTES } from "../../events/constants.ts";
import type { ChatEvent } from "../../events/schemas.ts";
import { HeadMovedError, oversizedCompletion, replyTooLarge } from "../append-guards.ts";
import { entryId, formatCursor, newEpoch, parseCursor } from "../cursor.ts";
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
  ResetReason,
  RunLease,
  Snapshot,
  TailItem,
  ThreadList,
  ThreadListener,
  ThreadRecord,
  ThreadsItem,
  ThreadWithLeases,
} from "../event-log.ts";
import { ThreadHubs } from "../hub.ts";
import { DEFAULT_RUN_LEASE_MS, leasesFromFlat } from "../leases.ts";
import { checkChannel, checkSignal } from "../signals.ts";
import { byListOrder, pageCursorAfter, pageSize, parsePageCursor, titleFromText } from "../thread-record.ts";
import { field, toRecord } from "./entries.ts";
import { followStream } from "./follow.ts";
import { activityKey, checkPrefix, ownerKey, ownerTag, signalKey, threadKeys, threadTag } from "./keys.ts";
import type { RawEntry, StreamTailer } from "./multiplexer.ts";
import {
  APPEND,
  CREATE_THREAD,
  DELETE_THREAD,
  GET_THREAD,
  LIST_POSITION,
  LIST_THREADS,
  POSITIONS,
  PUBLISH_SIGNAL,
  publishingScript,
  READ,
  READ_SIGNALS,
  RENAME_THREAD,
  RENEW_LEASE,
  SNAPSHOT,
} from "./scripts.ts";

/**
 * Runs one of the engine's Lua scripts (scripts.ts) by its SHA, sending the source only
 * when the server does not have it cached yet (the client library's own mechanism:
 * ioredis `defineCommand`, @upstash/redis `createScript`). Transport errors reject; the
 * engine maps them.
 */
export interface ScriptRunner {
  run(script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
  /** The keys matching `pattern`, a batch at a time (`SCAN`; on a cluster, every master's). */
  scan(pattern: string): AsyncIterable<readonly string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface RedisLogOptions extends EventLogOptions {
  /** Key prefix of app and stage, e.g. `murmur:local`. */
  readonly prefix: string;
  /**
   * The log runs on a Redis Cluster: every script also publishes the entries it appends
   * (see `publishingScript`), which the cluster tailer follows, and a thread's id must
   * carry its owner's hash tag (`newThreadId`), so that each script touches one slot.
   */
  readonly cluster?: boolean;
}

const DEFAULT_MAX_EVENTS = 10_000;
const PAGE = 500;

/**
 * The event log over Redis Streams, independent of the transport: the Redis (TCP) and
 * Upstash (REST) adapters give it a script runner and a tailer. See scripts.ts for the
 * data layout and keys.ts for the keys.
 */
export class RedisEventLog implements EventLog {
  private readonly prefix: string;
  private readonly maxEvents: number;
  private readonly leaseMs: number;
  private readonly maxReplyBytes: number;
  private readonly wakers = new Set<() => void>();
  /** Entries decoded once for every tail the shared reader hands them to (see sse/event-stream.ts). */
  private readonly decoded = new WeakMap<RawEntry, LoggedEvent>();
  private closed = false;
  private readonly hubs = new ThreadHubs(this);
  private readonly cluster: boolean;
  /** Each script as this log runs it (see `RedisLogOptions.cluster`). */
  private readonly scripts = new Map<string, string>();

  constructor(
    readonly name: string,
    private readonly runner: ScriptRunner,
    private readonly tailer: StreamTailer,
    options: RedisLogOptions,
  ) {
    this.prefix = checkPrefix(options.prefix);
    this.maxEvents = Math.max(1, options.maxEventsPerThread ?? DEFAULT_MAX_EVENTS);
    this.cluster = options.cluster ?? false;
    this.leaseMs = options.runLeaseMs ?? DEFAULT_RUN_LEASE_MS;
    this.maxReplyBytes = Math.min(options.maxReplyBytes ?? MAX_REPLY_BYTES, MAX_REPLY_BYTES);
  }

  /** The log's script runner: another engine over the same store (the limiter, limits/redis.ts) shares its connection. */
  get scriptRunner(): ScriptRunner {
    return this.runner;
  }

  async createThread(input: { id: string; owner: string; createdAt: number }): Promise<ThreadRecord> {
    if (this.cluster && threadTag(input.id) !== ownerTag(input.owner)) {
      throw new ValidationError(
        `thread id ${input.id} does not carry its owner's hash tag: on a Redis Cluster, ids come from newThreadId(owner)`,
      );
    }
    const keys = threadKeys(this.prefix, input.id);
    const created = await this.run(
      CREATE_THREAD,
      [keys.meta, ownerKey(this.prefix, input.owner), activityKey(this.prefix, input.owner)],
      [input.owner, input.createdAt, newEpoch(), input.id],
    );
    if (Number(created) !== 1) throw new ValidationError(`thread ${input.id} already exists`);
    return { ...input, title: null, updatedAt: input.createdAt };
  }

  async getThread(threadId: string): Promise<ThreadWithLeases | null> {
    const flat = (await this.run(GET_THREAD, [threadKeys(this.prefix, threadId).meta], [])) as string[];
    const record = toRecord(threadId, flat);
    return record && { ...record, leases: leasesFromFlat(flat) };
  }

  async renewLease(threadId: string, runId: string, expiresAt: number): Promise<void> {
    await this.run(RENEW_LEASE, [threadKeys(this.prefix, threadId).meta], [runId, expiresAt]);
  }

  async *scanLeases(signal?: AbortSignal): AsyncIterable<{ threadId: string; leases: readonly RunLease[] }> {
    // `{` and `}` are literal in a SCAN pattern: this is every thread's meta hash.
    const marker = ":thread:";
    for await (const keys of this.runner.scan(`${this.prefix}:{*}${marker}*:meta`)) {
      for (const key of keys) {
        if (signal?.aborted) return;
        const start = key.indexOf(marker, this.prefix.length);
        if (start === -1) continue;
        const threadId = key.slice(start + marker.length, -":meta".length);
        const thread = await this.getThread(threadId);
        if (thread && thread.leases.length > 0) yield { threadId, leases: thread.leases };
      }
    }
  }

  async listThreads(owner: string, options: ListOptions = {}): Promise<ThreadList> {
    return this.listWithPosition(owner, options);
  }

  async renameThread(threadId: string, title: string): Promise<ThreadRecord> {
    const reply = (await this.run(
      RENAME_THREAD,
      [threadKeys(this.prefix, threadId).meta],
      [title, Date.now(), `${this.prefix}:`, threadId],
    )) as [string, string[]?];
    const record = reply[0] === "nothread" ? null : toRecord(threadId, reply[1]);
    if (!record) throw new NotFoundError(`thread ${threadId} not found`);
    return record;
  }

  async deleteThread(threadId: string, owner: string): Promise<DeleteResult> {
    const keys = threadKeys(this.prefix, threadId);
    const [status] = (await this.run(
      DELETE_THREAD,
      [keys.meta, keys.stream, keys.ids, keys.history],
      [owner, Date.now(), `${this.prefix}:`, threadId, keys.partialPrefix],
    )) as [string];
    if (status === "nothread") throw new NotFoundError(`thread ${threadId} not found`);
    if (status === "forbidden") throw new ForbiddenError(`thread ${threadId} belongs to another session`);
    return { deleted: status === "ok" };
  }

  async positions(threadId: string, listOwner: string): Promise<Positions> {
    const meta = threadKeys(this.prefix, threadId).meta;
    const activity = activityKey(this.prefix, listOwner);
    // One script when the thread and the list share a slot (the thread is listOwner's);
    // two otherwise (someone else's thread, or an id without its owner's tag).
    const together = threadTag(threadId) === ownerTag(listOwner);
    const [reply, listPosition] = (await Promise.all([
      this.run(POSITIONS, together ? [meta, activity] : [meta], []),
      together ? "" : this.run(LIST_POSITION, [activity], []),
    ])) as [unknown[], string];
    if (reply.length === 0) throw new NotFoundError(`thread ${threadId} not found`);
    const [position, flat] = reply as [string, string[]];
    // A deleted thread's tombstone keeps only its owner: unknown, as to every other method.
    if (field(flat, "epoch") === undefined || field(flat, "deleted") !== undefined) throw new NotFoundError(`thread ${threadId} not found`);
    const cursor = formatCursor({ epoch: field(flat, "epoch") as string, ...splitId(field(flat, "head") ?? "0-0") });
    return { owner: field(flat, "owner") as string, cursor, position: together ? position : listPosition, leases: leasesFromFlat(flat) };
  }

  async publishSignal(channel: string, message: string): Promise<void> {
    checkSignal(channel, message);
    await this.run(PUBLISH_SIGNAL, [signalKey(this.prefix, channel)], [message]);
  }

  async watchSignals(channel: string, signal: AbortSignal): Promise<AsyncIterable<string>> {
    checkChannel(channel);
    const key = signalKey(this.prefix, channel);
    const readAfter = async (position: string) => (await this.run(READ_SIGNALS, [key], [position])) as [string, RawEntry[]];
    // The watch begins where the channel stands now; everything after it is read, or followed.
    const [now] = await readAfter("");
    return followStream<string>(
      {
        ...this.followHooks(),
        key,
        catchUp: async (position) => {
          const [head, entries] = await readAfter(position);
          return { items: entries.map(([, fields]) => field(fields, "m") ?? ""), position: entries.at(-1)?.[0] ?? head };
        },
        decode: (entries) => entries.map(([, fields]) => field(fields, "m") ?? ""),
      },
      now,
      signal,
    );
  }

  watchThreads(owner: string, signal: AbortSignal): AsyncIterable<ThreadsItem> {
    // The list, then the owner's activity entries after the id the list is current to;
    // whenever the follower cannot vouch that it saw every change, it lists again.
    return followStream<ThreadsItem>(
      {
        ...this.followHooks(),
        key: activityKey(this.prefix, owner),
        catchUp: async () => {
          const { threads, position, next } = await this.listWithPosition(owner);
          return { items: [{ kind: "list", threads, position, next }], position, whole: true };
        },
        decode: (entries) =>
          entries.flatMap(([id, fields]): ThreadsItem[] => {
            const threadId = field(fields, "t") ?? "";
            if (field(fields, "deleted") !== undefined) return [{ kind: "removed", threadId, position: id }];
            const thread = toRecord(threadId, fields);
            return thread ? [{ kind: "changed", thread, position: id }] : [];
          }),
      },
      "0-0",
      signal,
    );
  }

  async append(event: ChatEvent): Promise<AppendResult> {
    return (await this.appendBatch(event.threadId, [event]))[0] as AppendResult;
  }

  async appendBatch(threadId: string, events: readonly ChatEvent[], options: AppendOptions = {}): Promise<AppendResult[]> {
    if (events.length === 0) return [];
    const keys = threadKeys(this.prefix, threadId);
    const partialKeys: string[] = [];
    const ifHead = options.ifHead === undefined ? "" : options.ifHead;
    const args: (string | number)[] = [
      this.maxEvents,
      `${this.prefix}:`,
      threadId,
      events.length,
      this.leaseMs,
      ifHead,
      this.maxReplyBytes,
    ];
    for (const event of events) {
      if (event.threadId !== threadId) throw new ValidationError(`event ${event.id} belongs to thread ${event.threadId}, not ${threadId}`);
      const messageId = "messageId" in event ? event.messageId : "";
      const partial = `${keys.partialPrefix}${messageId}`;
      let index = partialKeys.indexOf(partial);
      if (index === -1) index = partialKeys.push(partial) - 1;
      args.push(
        event.id,
        JSON.stringify(event),
        event.type,
        messageId,
        "runId" in event ? event.runId : "",
        event.type === "message.delta" ? event.seq : 0,
        event.type === "message.delta" ? event.text : "",
        event.type === "message.created" ? titleFromText(event.text) : "",
        event.at,
        index + 5, // KEYS are 1-based: meta, stream, ids, history come first
      );
    }
    // A whole reply's size needs no state: checked here; a reply grown from deltas, in the script.
    const completion = oversizedCompletion(events, this.maxReplyBytes);
    const reply = completion
      ? ["toolarge", completion.event.messageId, completion.event.runId, completion.bytes]
      : ((await this.run(APPEND, [keys.meta, keys.stream, keys.ids, keys.history, ...partialKeys], args)) as (string | number)[]);
    if (reply[0] === "nothread") throw new NotFoundError(`thread ${threadId} not found`);
    if (reply[0] === "moved") throw new HeadMovedError(threadId);
    if (reply[0] === "toolarge") {
      const [, messageId, runId, bytes] = reply as [string, string, string, number];
      const { failure, error } = replyTooLarge(threadId, { runId, messageId }, Number(bytes), this.maxReplyBytes);
      await this.appendBatch(threadId, [failure]);
      throw error;
    }
    const committedAt = performance.now();
    const epoch = String(reply[0]);
    const results = events.map((_, e) => ({
      cursor: `${epoch}:${reply[1 + e * 3 + 1]}`,
      duplicate: reply[1 + e * 3] === "dup",
      cancelRequested: Number(reply[1 + e * 3 + 2]) === 1,
    }));
    const first = results.find((r) => !r.duplicate);
    if (first) this.hubs.committed(threadId, first.cursor, committedAt);
    return results;
  }

  async read(threadId: string, after: string | null, limit: number): Promise<ReadResult> {
    const result = await this.readOrDeleted(threadId, after, limit);
    if (result.kind === "deleted") throw new NotFoundError(`thread ${threadId} was deleted`);
    return result;
  }

  private async readOrDeleted(threadId: string, after: string | null, limit: number): Promise<ReadResult | { kind: "deleted" }> {
    const position = after === null ? null : parseCursor(after);
    const keys = threadKeys(this.prefix, threadId);
    const reply = (await this.run(
      READ,
      [keys.meta, keys.stream],
      [position?.epoch ?? "", position ? entryId(position) : "", Math.max(0, limit)],
    )) as unknown[];
    if (reply[0] === "nothread") throw new NotFoundError(`thread ${threadId} not found`);
    if (reply[0] === "deleted") return { kind: "deleted" };
    if (reply[0] === "reset") return { kind: "reset", reason: reply[1] as ResetReason };
    const epoch = String(reply[1]);
    const entries = reply[2] as RawEntry[];
    const kept = entries.slice(0, Math.max(0, limit));
    return { kind: "events", events: kept.map((entry) => decodeEntry(epoch, entry)), more: entries.length > kept.length };
  }

  async snapshot(threadId: string): Promise<Snapshot> {
    const keys = threadKeys(this.prefix, threadId);
    const reply = (await this.run(SNAPSHOT, [keys.meta, keys.history], [keys.partialPrefix])) as unknown[];
    if (reply.length === 0) throw new NotFoundError(`thread ${threadId} not found`);
    const [epoch, head, history, partials] = reply as [string, string, string[], string[]];
    const events = history.map((json) => JSON.parse(json) as ChatEvent);
    let state: ThreadState = foldEvents(emptyThreadState(threadId), events);
    for (let i = 0; i < partials.length; i += 3) {
      state = withPartial(state, partials[i] as string, Number(partials[i + 1]), partials[i + 2] ?? "");
    }
    return { state, cursor: formatCursor({ epoch, ...splitId(head) }) };
  }

  subscribe(threadId: string, after: string, listener: ThreadListener): () => void {
    return this.hubs.subscribe(threadId, after, listener);
  }

  tail(threadId: string, after: string, signal: AbortSignal): AsyncIterable<TailItem> {
    const epoch = parseCursor(after).epoch;
    const cursorOf = (id: string) => formatCursor({ epoch, ...splitId(id) });
    const items = followStream<TailItem>(
      {
        ...this.followHooks(),
        key: threadKeys(this.prefix, threadId).stream,
        catchUp: async (position) => {
          const result = await this.readOrDeleted(threadId, cursorOf(position), PAGE);
          if (result.kind === "reset" || result.kind === "deleted") return { items: [result], position, final: true };
          const last = result.events.at(-1);
          if (!last) return { items: [], position };
          return { items: [{ kind: "events", events: result.events }], position: entryId(parseCursor(last.cursor)), more: result.more };
        },
        decode: (entries) => {
          // The entry a delete appends (`x`) ends the tail, after the events before it.
          const end = entries.findIndex(([, fields]) => field(fields, "x") === "deleted");
          const events = (end === -1 ? entries : entries.slice(0, end)).map((entry) => this.decodeShared(epoch, entry));
          const out: TailItem[] = events.length > 0 ? [{ kind: "events", events }] : [];
          return end === -1 ? out : [...out, { kind: "deleted" }];
        },
      },
      entryId(parseCursor(after)),
      signal,
    );
    return endAtDeleted(items);
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
    this.hubs.close();
    for (const wake of this.wakers) wake();
    await Promise.allSettled([this.tailer.close(), this.runner.close()]);
  }

  /** What every follower needs of the log itself: the shared reader, and a wake-up when the log closes. */
  private followHooks() {
    return {
      tailer: this.tailer,
      onClose: (wake: () => void) => {
        this.wakers.add(wake);
        return () => void this.wakers.delete(wake);
      },
      isClosed: () => this.closed,
    };
  }

  /**
   * The shared reader hands the same entry to every tail of a thread; each is decoded
   * once, so every tail yields the same LoggedEvent (see the port) and a frame is
   * encoded once for all of them.
   */
  private decodeShared(epoch: string, entry: RawEntry): LoggedEvent {
    const cached = this.decoded.get(entry);
    if (cached?.cursor.startsWith(`${epoch}:`)) return cached;
    const logged = decodeEntry(epoch, entry);
    this.decoded.set(entry, logged);
    return logged;
  }

  /** A page of the owner's threads and the id of the newest activity entry the list reflects. */
  private async listWithPosition(owner: string, options: ListOptions = {}): Promise<ThreadList> {
    const limit = pageSize(options.limit);
    const before = options.before ? parsePageCursor(options.before) : null;
    const [last, flat, more] = (await this.run(
      LIST_THREADS,
      [ownerKey(this.prefix, owner), activityKey(this.prefix, owner)],
      [limit, `${this.prefix}:`, before ? before.updatedAt : "", before ? before.id : ""],
    )) as [string, unknown[], number];
    const threads: ThreadRecord[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const record = toRecord(String(flat[i]), flat[i + 1] as string[]);
      if (record) threads.push(record);
    }
    threads.sort(byListOrder);
    const tail = threads.at(-1);
    return { threads, position: String(last), next: Number(more) === 1 && tail ? pageCursorAfter(tail) : null };
  }

  private async run(script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (this.closed) throw new UnavailableError("event log is closed");
    let source = script;
    if (this.cluster) {
      source = this.scripts.get(script) ?? publishingScript(script);
      this.scripts.set(script, source);
    }
    try {
      return await this.runner.run(source, keys, args);
    } catch (cause) {
      throw unavailable(cause);
    }
  }
}

/** The tail's items, ending after a `deleted` one. */
async function* endAtDeleted(items: AsyncIterable<TailItem>): AsyncIterable<TailItem> {
  for await (const item of items) {
    yield item;
    if (item.kind === "deleted") return;
  }
}

/** A transport failure as `UnavailableError` (our own typed errors pass through): what every engine over a ScriptRunner rejects with. */
export function unavailable(cause: unknown): MurmurError {
  if (cause instanceof MurmurError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new UnavailableError(`event log unreachable: ${detail}`, { cause });
}

function splitId(id: string): { ms: number; seq: number } {
  const [ms, seq] = id.split("-").map(Number) as [number, number];
  return { ms, seq };
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
