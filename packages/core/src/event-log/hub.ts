import { NotFoundError } from "../errors/index.ts";
import { compareCursors, parseCursor } from "./cursor.ts";
import type { LoggedEvent, ReadResult, ResetReason, TailItem, ThreadListener } from "./event-log.ts";

/** What a hub needs of its log: ranges, and one live tail per thread. */
export interface HubSource {
  read(threadId: string, after: string | null, limit: number): Promise<ReadResult>;
  tail(threadId: string, after: string, signal: AbortSignal): AsyncIterable<TailItem>;
}

const PAGE = 500;

interface Joiner {
  readonly listener: ThreadListener;
  /** Batches the feed delivered while this listener caught up from the log, each with when the feed received it. */
  readonly buffer: { readonly batch: LoggedEvent[]; readonly at: number }[];
}

interface Hub {
  /**
   * Listeners that receive each batch as the feed delivers it, each with the cursor it
   * already reached when it joined ahead of the feed (its catch-up read past what the
   * feed had delivered), or null once the feed is past it.
   */
  readonly live: Map<ThreadListener, string | null>;
  readonly joining: Set<Joiner>;
  readonly stop: AbortController;
  /**
   * When this process's own appends to the thread committed (`performance.now()` at the
   * append's reply), by the cursor of each append's first event, until the feed delivers
   * them; and the last cursor the feed delivered, so a reply that comes after its entry
   * (the blocking reader can beat the script's reply) leaves nothing behind.
   */
  readonly committed: Map<string, number>;
  delivered: string | null;
}

const isAfter = (a: string, b: string) => compareCursors(parseCursor(a), parseCursor(b)) > 0;

/**
 * One fan-out hub per thread per process: a single tail of the thread (the feed) hands
 * each batch, synchronously and as the same objects, to every live listener, so a
 * thousand streams of a thread cost one async chain, not a thousand. The first listener
 * starts the feed at its own cursor and is live at once. A listener that joins a running
 * feed registers first (buffering what the feed delivers meanwhile), catches up from the
 * log after its cursor, then takes the buffered batches past what it read and goes live:
 * everything after its cursor exactly once, in order, however the join races the appends.
 * When the last listener leaves, the feed stops.
 */
export class ThreadHubs {
  private readonly hubs = new Map<string, Hub>();

  constructor(private readonly source: HubSource) {}

  /** See `EventLog.subscribe`. */
  subscribe(threadId: string, after: string, listener: ThreadListener): () => void {
    let hub = this.hubs.get(threadId);
    let joiner: Joiner | null = null;
    if (!hub) {
      hub = { live: new Map([[listener, null]]), joining: new Set(), stop: new AbortController(), committed: new Map(), delivered: null };
      this.hubs.set(threadId, hub);
      void this.feed(threadId, after, hub);
    } else {
      joiner = { listener, buffer: [] };
      hub.joining.add(joiner);
      void this.join(threadId, after, hub, joiner);
    }
    return new Unsubscribe(this, threadId, hub, listener, joiner).run;
  }

  /** Runs the thread's one tail, fanning each batch out; ends every listener when it ends. */
  private async feed(threadId: string, after: string, hub: Hub): Promise<void> {
    let ending: { reset?: ResetReason; error?: unknown } = {};
    try {
      for await (const item of this.source.tail(threadId, after, hub.stop.signal)) {
        if (item.kind === "reset") {
          ending = { reset: item.reason };
          break;
        }
        if (item.kind === "deleted") {
          // Every listener ends as a read of the thread now would: not found.
          ending = { error: new NotFoundError(`thread ${threadId} was deleted`) };
          break;
        }
        const batch = item.events as LoggedEvent[];
        const at = learnedAt(hub, batch);
        for (const [listener, ahead] of hub.live) {
          if (ahead === null) deliver(listener, batch, at);
          else deliverPast(hub, listener, batch, ahead, at);
        }
        for (const joiner of hub.joining) joiner.buffer.push({ batch, at });
      }
    } catch (error) {
      ending = { error };
    }
    if (this.hubs.get(threadId) === hub) this.hubs.delete(threadId);
    hub.stop.abort();
    const live = [...hub.live.keys()];
    const joining = [...hub.joining].map((j) => j.listener);
    hub.live.clear();
    hub.joining.clear();
    // Live listeners stand where the feed stood: its reset is theirs. A listener still
    // catching up stands elsewhere: it subscribes again from its own cursor.
    for (const listener of live) {
      if (ending.reset) listener.reset(ending.reset);
      else listener.end(ending.error);
    }
    for (const listener of joining) listener.end(ending.reset ? new FeedResetError(ending.reset) : ending.error);
  }

  /** Catches a joiner up from the log, then moves it to the live set. */
  private async join(threadId: string, after: string, hub: Hub, joiner: Joiner): Promise<void> {
    let cursor = after;
    try {
      for (;;) {
        const read = await this.source.read(threadId, cursor, PAGE);
        if (!hub.joining.has(joiner)) return; // left, or the feed ended it
        if (read.kind === "reset") {
          hub.joining.delete(joiner);
          this.release(threadId, hub);
          joiner.listener.reset(read.reason);
          return;
        }
        const last = read.events.at(-1);
        if (read.events.length > 0) {
          deliver(joiner.listener, read.events as LoggedEvent[]);
          cursor = (last as LoggedEvent).cursor;
        }
        if (!read.more) break;
      }
    } catch (error) {
      if (!hub.joining.has(joiner)) return;
      hub.joining.delete(joiner);
      this.release(threadId, hub);
      joiner.listener.end(error);
      return;
    }
    if (!hub.joining.has(joiner)) return;
    // Everything appended before the last read is in it; what came after is buffered.
    hub.joining.delete(joiner);
    for (const { batch, at } of joiner.buffer) {
      const fresh = batch.filter((e) => isAfter(e.cursor, cursor));
      if (fresh.length === 0) continue;
      deliver(joiner.listener, fresh.length === batch.length ? batch : fresh, at);
      cursor = (fresh.at(-1) as LoggedEvent).cursor;
    }
    joiner.buffer.length = 0;
    hub.live.set(joiner.listener, cursor);
  }

  /** @internal */
  leave(threadId: string, hub: Hub, listener: ThreadListener, joiner: Joiner | null): void {
    hub.live.delete(listener);
    if (joiner) hub.joining.delete(joiner);
    this.release(threadId, hub);
  }

  private release(threadId: string, hub: Hub): void {
    if (hub.live.size > 0 || hub.joining.size > 0) return;
    if (this.hubs.get(threadId) === hub) this.hubs.delete(threadId);
    hub.stop.abort();
  }

  /**
   * This process appended events to `threadId`; `cursor` is the first one's, `at` when
   * the append committed (`performance.now()`). Kept only while the thread has a feed
   * here that has not delivered it yet: the start of its delivery latency.
   */
  committed(threadId: string, cursor: string, at: number): void {
    const hub = this.hubs.get(threadId);
    if (!hub || (hub.delivered !== null && !isAfter(cursor, hub.delivered)) || hub.committed.size >= MAX_COMMITTED) return;
    hub.committed.set(cursor, at);
  }

  /** Ends every listener (the log is closing). */
  close(): void {
    for (const hub of this.hubs.values()) hub.stop.abort();
  }
}

/** A subscription's way out: idempotent, and it lets go of the joiner once used. */
class Unsubscribe {
  constructor(
    private hubs: ThreadHubs | null,
    private readonly threadId: string,
    private readonly hub: Hub,
    private readonly listener: ThreadListener,
    private joiner: Joiner | null,
  ) {}

  readonly run = (): void => {
    const hubs = this.hubs;
    if (!hubs) return;
    this.hubs = null;
    hubs.leave(this.threadId, this.hub, this.listener, this.joiner);
    this.joiner = null;
  };
}

/** Thrown to listeners when the hub's own feed was reset: resubscribe from your cursor. */
export class FeedResetError extends Error {
  constructor(readonly reason: ResetReason) {
    super(`the thread's feed was reset (${reason}); subscribe again from your cursor`);
    this.name = "FeedResetError";
  }
}

/** Appends of one process a feed waits for at most (a bound, should its feed stall). */
const MAX_COMMITTED = 10_000;

/**
 * When this process learned that `batch` committed: the start of its append-to-delivery
 * latency (see DELIVERY_LATENCY), once per batch. Its own append's reply when this process
 * appended it (in the memory log, the commit's own turn of the event loop), else the
 * feed's receipt now: another process or function appended it, on a clock that is not
 * ours (and an entry id's milliseconds are Redis's clock, and too coarse).
 */
function learnedAt(hub: Hub, batch: readonly LoggedEvent[]): number {
  let at = performance.now();
  if (hub.committed.size > 0) {
    for (const { cursor } of batch) {
      const committed = hub.committed.get(cursor);
      if (committed === undefined) continue;
      hub.committed.delete(cursor);
      if (committed < at) at = committed;
    }
  }
  hub.delivered = (batch.at(-1) as LoggedEvent).cursor;
  return at;
}

/** Delivers what lies past `ahead`, and clears it once the feed has caught up with it. */
function deliverPast(hub: Hub, listener: ThreadListener, batch: readonly LoggedEvent[], ahead: string, at: number): void {
  const last = batch.at(-1) as LoggedEvent;
  if (!isAfter(last.cursor, ahead)) return;
  hub.live.set(listener, null);
  deliver(listener, isAfter(batch[0]?.cursor as string, ahead) ? batch : batch.filter((e) => isAfter(e.cursor, ahead)), at);
}

function deliver(listener: ThreadListener, events: readonly LoggedEvent[], receivedAt?: number): void {
  try {
    listener.events(events, receivedAt);
  } catch {
    // One listener's failure (a stream that broke) must not stop the others.
  }
}
