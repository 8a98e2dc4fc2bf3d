import { afterEach, describe, expect, it, vi } from "vitest";
import { emptyThreadState, foldEvents } from "../chat/reducer.ts";
import { ForbiddenError, NotFoundError, UnavailableError, ValidationError } from "../errors/index.ts";
import type { ChatEvent, MessageCreated } from "../events/schemas.ts";
import { HeadMovedError, ReplyTooLargeError } from "./append-guards.ts";
import { formatCursor, parseCursor } from "./cursor.ts";
import type { EventLog, EventLogOptions, LoggedEvent, TailItem, ThreadsItem } from "./event-log.ts";

/** Makes a fresh, empty log for one test. */
export type EventLogFactory = (options?: EventLogOptions) => Promise<EventLog>;

let counter = 0;
const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}${(counter++).toString(36)}`;

function userMessage(threadId: string, n: number): MessageCreated {
  return { id: `msg:u${n}`, threadId, at: Date.now(), type: "message.created", messageId: `u${n}`, role: "user", text: `message ${n}` };
}

function delta(threadId: string, seq: number, text = `w${seq} `): ChatEvent {
  return { id: `r1:d:${seq}`, threadId, at: Date.now(), type: "message.delta", runId: "r1", messageId: "a1", seq, text };
}

/** Collects tail items until `stop` says so, then aborts the tail. */
async function collect(
  log: EventLog,
  threadId: string,
  after: string,
  stop: (events: LoggedEvent[], item: TailItem) => boolean,
): Promise<{ events: LoggedEvent[]; items: TailItem[] }> {
  const controller = new AbortController();
  const events: LoggedEvent[] = [];
  const items: TailItem[] = [];
  for await (const item of log.tail(threadId, after, controller.signal)) {
    items.push(item);
    if (item.kind === "events") events.push(...item.events);
    if (stop(events, item)) {
      controller.abort();
      break;
    }
  }
  return { events, items };
}

/** A thread's record as lists show it: `getThread` without the leases. */
async function recordOf(log: EventLog, threadId: string) {
  const found = await log.getThread(threadId);
  if (!found) return found;
  const { leases: _, ...record } = found;
  return record;
}

/** Pulls items from an owner's live thread list one at a time; `stop` aborts it. */
function watchOwner(log: EventLog, owner: string) {
  const controller = new AbortController();
  const iterator = log.watchThreads(owner, controller.signal)[Symbol.asyncIterator]();
  return {
    next: async (): Promise<ThreadsItem | undefined> => (await iterator.next()).value,
    stop: () => controller.abort(),
  };
}

/** What an adapter setup may need of the suite beyond its factory. */
export interface ContractOptions {
  /**
   * Makes the id of a new thread of `owner`. Default: an id of the suite's own, without an
   * owner tag (what a single-node log takes); a Redis Cluster needs `newThreadId`.
   */
  readonly threadId?: (owner: string) => string;
}

/**
 * The one behaviour suite every event-log adapter must pass. Each adapter's test file
 * calls it with a factory that makes a fresh log (and may pass small retention).
 */
export function describeEventLogContract(name: string, factory: EventLogFactory, contract: ContractOptions = {}): void {
  const threadId = contract.threadId ?? (() => unique("t"));
  describe(`event log contract: ${name}`, () => {
    const open: EventLog[] = [];
    const make = async (options?: EventLogOptions) => {
      const log = await factory(options);
      open.push(log);
      return log;
    };
    const newThread = async (log: EventLog, owner = "s_owner") => {
      const id = threadId(owner);
      await log.createThread({ id, owner, createdAt: Date.now() });
      return id;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((log) => log.close()));
    });

    it("creates, finds and lists threads by owner, most recent first", async () => {
      const log = await make();
      const owner = unique("s");
      const first = await newThread(log, owner);
      const second = await newThread(log, owner);
      await newThread(log, unique("s"));
      await log.append({ ...userMessage(first, 1), at: Date.now() + 1000, text: "  Hello\n  world  " });
      const { threads } = await log.listThreads(owner);
      expect(threads.map((t) => t.id)).toEqual([first, second]);
      expect(threads[0]).toMatchObject({ owner, title: "Hello world" });
      expect(await log.getThread(second)).toMatchObject({ id: second, owner, title: null });
      expect(await log.getThread(unique("t"))).toBeNull();
    });

    it("records the read position in the thread record; reads and stop requests are not activity", async () => {
      const log = await make();
      const t = await newThread(log);
      const before = (await log.getThread(t))?.updatedAt;
      expect((await log.getThread(t))?.readAt).toBeUndefined();
      const read = (at: number) => ({ id: unique("read"), threadId: t, at, type: "thread.read" as const });
      await log.append(read(5_000_000_000_000));
      await log.append(read(4_000_000_000_000)); // an older read never moves it back
      await log.append({
        id: unique("c"),
        threadId: t,
        at: 6_000_000_000_000,
        type: "run.cancel_requested",
        runId: "r_1",
        messageId: "a_1",
      });
      expect(await log.getThread(t)).toMatchObject({ readAt: 5_000_000_000_000, updatedAt: before });
    });

    it("watches an owner's thread list: the list, then each record as it changes, and nothing else", async () => {
      const log = await make();
      const owner = unique("s");
      const existing = await newThread(log, owner);
      const watch = watchOwner(log, owner);
      expect(await watch.next()).toEqual({
        kind: "list",
        threads: [await recordOf(log, existing)],
        position: expect.any(String),
        next: null,
      });

      const created = await newThread(log, owner);
      await newThread(log, unique("s")); // another owner's thread
      const at = Date.now() + 1000;
      await log.append({ ...userMessage(existing, 1), at });
      await log.append({ ...userMessage(existing, 2), at }); // the title and the activity time stay
      const started = {
        id: "r1:start",
        threadId: existing,
        at: at + 1,
        type: "run.started",
        runId: "r1",
        messageId: "a1",
        replyTo: "u1",
        agent: "demo",
      } as const;
      await log.append(started);
      await log.append(delta(existing, 0));
      await log.append({
        id: "r1:done",
        threadId: existing,
        at: at + 2,
        type: "message.completed",
        runId: "r1",
        messageId: "a1",
        text: "w0",
      });
      await log.append({ id: unique("read"), threadId: existing, at: at + 3, type: "thread.read" });

      const positions = new Set<string>();
      const change = async () => {
        const item = await watch.next();
        if (item) positions.add(item.position);
        return item;
      };
      expect(await change()).toEqual({ kind: "changed", thread: await recordOf(log, created), position: expect.any(String) });
      expect(await change()).toMatchObject({ kind: "changed", thread: { id: existing, title: "message 1", updatedAt: at } });
      expect(await change()).toMatchObject({ kind: "changed", thread: { id: existing, updatedAt: at + 2 } });
      const last = await change();
      expect(last).toEqual({ kind: "changed", thread: await recordOf(log, existing), position: expect.any(String) });
      expect((await log.getThread(existing))?.readAt).toBe(at + 3);
      // Every change moves the list's position, and the last one is where the list now stands.
      expect(positions.size).toBe(4);
      expect((await log.listThreads(owner)).position).toBe(last?.position);
      watch.stop();
      expect(await watch.next()).toBeUndefined();
    });

    it("gives a watcher that joins while another follows the same owner every later change", async () => {
      const log = await make();
      const owner = unique("s");
      const t = await newThread(log, owner);
      const first = watchOwner(log, owner);
      await first.next();
      await log.append(userMessage(t, 1));
      expect(await first.next()).toMatchObject({ kind: "changed", thread: { id: t, title: "message 1" } });

      const second = watchOwner(log, owner);
      expect(await second.next()).toEqual({ kind: "list", threads: [await recordOf(log, t)], position: expect.any(String), next: null });
      const later = await newThread(log, owner);
      for (const watch of [first, second]) {
        expect(await watch.next()).toMatchObject({ kind: "changed", thread: { id: later } });
        watch.stop();
      }
    });

    it("tells where a thread and its owner's list stand, in one read, changing only when they do", async () => {
      const log = await make();
      const owner = unique("s");
      const t = await newThread(log, owner);
      const empty = await log.positions(t, owner);
      expect(empty).toEqual({
        owner,
        cursor: (await log.snapshot(t)).cursor,
        position: (await log.listThreads(owner)).position,
        leases: [],
      });
      const written = await log.append(userMessage(t, 1));
      const after = await log.positions(t, owner);
      expect(after.cursor).toBe(written.cursor);
      expect(after.position).not.toBe(empty.position);
      // A delta moves the thread but not the list; another owner's changes move neither.
      const moved = await log.append(delta(t, 0));
      await newThread(log, unique("s"));
      expect(await log.positions(t, owner)).toEqual({ owner, cursor: moved.cursor, position: after.position, leases: [] });
      await expect(log.positions(unique("t"), owner)).rejects.toBeInstanceOf(NotFoundError);
    });

    it("appends a batch in one step: one result per event, duplicates in it skipped, the rest landed", async () => {
      const log = await make();
      const t = await newThread(log);
      await log.append(userMessage(t, 1));
      const results = await log.appendBatch(t, [userMessage(t, 1), userMessage(t, 2), userMessage(t, 3), userMessage(t, 2)]);
      expect(results.map((r) => r.duplicate)).toEqual([true, false, false, true]);
      expect(results[3]?.cursor).toBe(results[1]?.cursor);
      const read = await log.read(t, null, 100);
      expect(read.kind === "events" && read.events.map((e) => e.event.id)).toEqual(["msg:u1", "msg:u2", "msg:u3"]);
      expect(read.kind === "events" && read.events.map((e) => e.cursor)).toEqual([
        expect.any(String),
        results[1]?.cursor,
        results[2]?.cursor,
      ]);
      const missing = unique("t");
      await expect(log.appendBatch(missing, [userMessage(missing, 1)])).rejects.toBeInstanceOf(NotFoundError);
    });

    it("says on every append of a run whether a stop was requested for it, and de-duplicates a reply's deltas by seq", async () => {
      const log = await make();
      const t = await newThread(log);
      const run = { threadId: t, runId: "r1", messageId: "a1" };
      await log.append({ ...run, id: "r1:start", at: 1, type: "run.started", replyTo: "u1", agent: "demo" });
      const first = await log.append(delta(t, 0));
      expect(first).toMatchObject({ duplicate: false, cancelRequested: false });
      // The same seq under another id is the same delta: a reader would not apply it.
      expect(await log.append({ ...delta(t, 0), id: "r1:d:0:again" })).toMatchObject({ duplicate: true });
      await log.append({ ...run, id: "r1:cancel", at: 2, type: "run.cancel_requested" });
      expect(await log.appendBatch(t, [delta(t, 1), delta(t, 1), userMessage(t, 9)])).toEqual([
        { cursor: expect.any(String), duplicate: false, cancelRequested: true },
        { cursor: expect.any(String), duplicate: true, cancelRequested: true },
        { cursor: expect.any(String), duplicate: false, cancelRequested: false },
      ]);
      const { state } = await log.snapshot(t);
      expect(state.messages.find((m) => m.id === "a1")).toMatchObject({ text: "w0 w1 ", lastSeq: 1, stopping: true });
      const read = await log.read(t, null, 100);
      expect(read.kind === "events" && read.events.filter((e) => e.event.type === "message.delta")).toHaveLength(2);
    });

    it("appends only while the head is where the caller read it (ifHead); of racing conditional appends one lands", async () => {
      const log = await make();
      const t = await newThread(log);
      const empty = (await log.snapshot(t)).cursor;
      await log.appendBatch(t, [userMessage(t, 1)], { ifHead: empty });
      await expect(log.appendBatch(t, [userMessage(t, 2)], { ifHead: empty })).rejects.toBeInstanceOf(HeadMovedError);
      const head = (await log.snapshot(t)).cursor;
      const raced = await Promise.allSettled([3, 4, 5, 6].map((n) => log.appendBatch(t, [userMessage(t, n)], { ifHead: head })));
      expect(raced.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of raced) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(HeadMovedError);
      const { state, cursor } = await log.snapshot(t);
      expect(state.messages).toHaveLength(2);
      const [, landed] = await log.appendBatch(t, [userMessage(t, 1), userMessage(t, 7)], { ifHead: cursor });
      expect(landed).toMatchObject({ duplicate: false });
    });

    it("refuses a batch that would grow a reply past maxReplyBytes, writes none of it, and fails the reply (too_large)", async () => {
      const log = await make({ maxReplyBytes: 1024 });
      const t = await newThread(log);
      const started = (runId: string, messageId: string) =>
        ({ threadId: t, runId, messageId, id: `${runId}:started`, at: 1, type: "run.started", replyTo: "u1", agent: "demo" }) as const;
      await log.append(started("r1", "a1"));
      await log.append(delta(t, 0, "x".repeat(1000)));
      const before = await log.snapshot(t);
      // 1000 + 20 ("é" is 2 bytes) + 10 = 1030 > 1024: the whole batch is refused, naming the limit.
      const refused = log.appendBatch(t, [delta(t, 1, "é".repeat(10)), delta(t, 2, "y".repeat(10))]);
      await expect(refused).rejects.toBeInstanceOf(ReplyTooLargeError);
      await expect(refused).rejects.toThrow(/reply a1 would hold 1030 bytes; a reply may hold at most 1024 bytes/);
      const after = await log.read(t, before.cursor, 100);
      expect(after.kind === "events" && after.events.map((e) => e.event)).toEqual([
        expect.objectContaining({ id: "r1:failed", type: "message.failed", messageId: "a1", kind: "too_large", retryable: false }),
      ]);
      const { state } = await log.snapshot(t);
      expect(state.messages[0]).toMatchObject({ id: "a1", status: "failed", error: { kind: "too_large" } });
      // The runner's own end of that reply lands on the same event.
      const runnerEnd = {
        threadId: t,
        runId: "r1",
        messageId: "a1",
        id: "r1:failed",
        at: 3,
        type: "message.failed",
        reason: "x",
        retryable: false,
      };
      expect(await log.append(runnerEnd as ChatEvent)).toMatchObject({ duplicate: true });
      // Exactly the limit fits, whether from a batch starting the reply or over several appends; a byte more does not.
      const second = (seq: number, text: string) => ({ ...delta(t, seq, text), id: `r2:d:${seq}`, runId: "r2", messageId: "a2" });
      await log.appendBatch(t, [started("r2", "a2"), second(0, "z".repeat(1000))]);
      await log.append(second(1, "z".repeat(24)));
      await expect(log.append(second(2, "!"))).rejects.toBeInstanceOf(ReplyTooLargeError);
      // A whole reply longer than the limit is refused alike.
      await log.append(started("r3", "a3"));
      const completed = {
        threadId: t,
        runId: "r3",
        messageId: "a3",
        id: "r3:done",
        at: 2,
        type: "message.completed",
        text: "c".repeat(1025),
      };
      await expect(log.append(completed as ChatEvent)).rejects.toBeInstanceOf(ReplyTooLargeError);
      expect((await log.snapshot(t)).state.messages.map((m) => [m.id, m.status, m.error?.kind])).toEqual([
        ["a1", "failed", "too_large"],
        ["a2", "failed", "too_large"],
        ["a3", "failed", "too_large"],
      ]);
    });

    it("holds a run's lease from its start, renews it with its deltas and on demand, and drops it with the reply's end", async () => {
      const log = await make({ runLeaseMs: 10_000 });
      const owner = unique("s");
      const t = await newThread(log, owner);
      const run = { threadId: t, runId: "r1", messageId: "a1" };
      await log.append({ ...run, id: "r1:start", at: 1_000, type: "run.started", replyTo: "u1", agent: "demo" });
      expect((await log.getThread(t))?.leases).toEqual([{ runId: "r1", messageId: "a1", expiresAt: 11_000 }]);
      await log.append({ ...delta(t, 0), at: 5_000 });
      expect((await log.getThread(t))?.leases).toEqual([{ runId: "r1", messageId: "a1", expiresAt: 15_000 }]);
      await log.renewLease(t, "r1", 40_000);
      expect((await log.positions(t, owner)).leases).toEqual([{ runId: "r1", messageId: "a1", expiresAt: 40_000 }]);
      await log.append({ ...run, id: "r1:done", at: 6_000, type: "message.completed", text: "w0 " });
      expect((await log.getThread(t))?.leases).toEqual([]);
      await log.renewLease(t, "r1", 90_000); // after the end: nothing to renew
      expect((await log.positions(t, owner)).leases).toEqual([]);
    });

    it("finds, walking the whole store, every thread with a reply in progress and its leases, and none once they ended", async () => {
      const log = await make({ runLeaseMs: 10_000 });
      const owner = unique("s");
      const [busy, idle, ended] = [await newThread(log, owner), await newThread(log, owner), await newThread(log, owner)];
      await log.append({
        threadId: busy,
        runId: "r1",
        messageId: "a1",
        id: "r1:start",
        at: 1_000,
        type: "run.started",
        replyTo: "u1",
        agent: "demo",
      });
      await log.append({
        threadId: ended,
        runId: "r2",
        messageId: "a2",
        id: "r2:start",
        at: 1_000,
        type: "run.started",
        replyTo: "u2",
        agent: "demo",
      });
      await log.append({ threadId: ended, runId: "r2", messageId: "a2", id: "r2:done", at: 2_000, type: "message.completed", text: "" });
      const found = async () => {
        const out: { threadId: string; leases: readonly unknown[] }[] = [];
        for await (const item of log.scanLeases()) if ([busy, idle, ended].includes(item.threadId)) out.push(item);
        return out;
      };
      expect(await found()).toEqual([{ threadId: busy, leases: [{ runId: "r1", messageId: "a1", expiresAt: 11_000 }] }]);
      await log.append({
        threadId: busy,
        runId: "r1",
        messageId: "a1",
        id: "r1:failed",
        at: 3_000,
        type: "message.failed",
        reason: "x",
        retryable: true,
      });
      expect(await found()).toEqual([]);
    });

    it("delivers signals in order to every watcher that began before they were published, and nothing older", async () => {
      const log = await make();
      const channel = `stream:${unique("s")}:c1`;
      await log.publishSignal(channel, "before anyone watched");
      const controller = new AbortController();
      const watches = await Promise.all([0, 1].map(() => log.watchSignals(channel, controller.signal)));
      const watchers = watches.map((w) => w[Symbol.asyncIterator]());
      const first = watchers.map((w) => w.next());
      await log.publishSignal(channel, "one");
      await log.publishSignal(channel, "two");
      await log.publishSignal(`${channel}x`, "another channel");
      expect((await Promise.all(first)).map((r) => r.value)).toEqual(["one", "one"]);
      expect((await Promise.all(watchers.map((w) => w.next()))).map((r) => r.value)).toEqual(["two", "two"]);
      const pending = watchers[0]?.next();
      controller.abort();
      expect((await pending)?.done).toBe(true);
      await expect(log.publishSignal("bad channel!", "x")).rejects.toThrow(/channel/);
    });

    it("pages the owner's list with a cursor: every thread once, in list order, none deleted, a mover not twice", async () => {
      const log = await make();
      const owner = unique("s");
      const base = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const id = threadId(owner);
        // Three share one activity time: ties go by id, greater first.
        await log.createThread({ id, owner, createdAt: i < 3 ? base : base + i });
        ids.push(id);
      }
      await newThread(log, unique("s")); // another owner's
      const pages: string[][] = [];
      let before: string | null = null;
      for (let n = 0; n < 10; n++) {
        const page: Awaited<ReturnType<EventLog["listThreads"]>> = await log.listThreads(owner, { limit: 3, before });
        pages.push(page.threads.map((t) => t.id));
        if (n === 0) {
          // Between two pages a thread of a later page moves to the top, and one is deleted.
          const last = pages[0]?.at(-1) as string;
          const mover = ids.find((id) => !pages[0]?.includes(id) && id !== last) as string;
          await log.append({ ...userMessage(mover, 1), at: base + 1000 });
          const gone = ids.find((id) => !pages[0]?.includes(id) && id !== mover) as string;
          await log.deleteThread(gone, owner);
        }
        before = page.next;
        if (before === null) break;
      }
      const seen = pages.flat();
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toHaveLength(5); // 7, less the mover (now before the first page) and the deleted one
      const all = (await log.listThreads(owner)).threads;
      expect(all).toHaveLength(6);
      expect(all.map((t) => t.id)).toEqual([...all].sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : -1)).map((t) => t.id));
      expect(seen).toEqual(all.map((t) => t.id).filter((id) => seen.includes(id)));
      expect((await log.listThreads(owner, { limit: 6 })).next).toBeNull();
      await expect(log.listThreads(owner, { before: "not a cursor" })).rejects.toBeInstanceOf(ValidationError);
      await expect(log.listThreads(owner, { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    });

    it("renames a thread for good, not as activity, idempotently, live to every watcher", async () => {
      const log = await make();
      const owner = unique("s");
      const t = await newThread(log, owner);
      const other = await newThread(log, owner);
      await log.append({ ...userMessage(other, 1), at: Date.now() + 5000 });
      const watch = watchOwner(log, owner);
      await watch.next();
      const before = await recordOf(log, t);
      const renamed = await log.renameThread(t, "Trip plans");
      expect(renamed).toEqual({ ...before, title: "Trip plans", renamedAt: expect.any(Number) });
      expect(await watch.next()).toEqual({ kind: "changed", thread: renamed, position: expect.any(String) });
      const position = (await log.listThreads(owner)).position;
      // The same title again changes nothing and tells nobody.
      expect(await log.renameThread(t, "Trip plans")).toEqual(renamed);
      expect((await log.listThreads(owner)).position).toBe(position);
      // A first message after the rename does not rename it back; the order is by activity only.
      await log.append(userMessage(t, 1));
      expect((await log.getThread(t))?.title).toBe("Trip plans");
      const again = await log.renameThread(t, "Trip");
      expect(again.renamedAt).toBeGreaterThan(renamed.renamedAt as number);
      expect((await log.listThreads(owner)).threads.map((r) => r.id)).toEqual([other, t]);
      await expect(log.renameThread(unique("t"), "x")).rejects.toBeInstanceOf(NotFoundError);
      watch.stop();
    });

    it("deletes a thread: unknown afterwards, off the list live, open tails ended, idempotent, owner only", async () => {
      const log = await make();
      const owner = unique("s");
      const t = await newThread(log, owner);
      const kept = await newThread(log, owner);
      await log.append(userMessage(t, 1));
      const { cursor } = await log.snapshot(t);
      const watch = watchOwner(log, owner);
      await watch.next();
      const tail = collect(log, t, cursor, () => false);
      await expect(log.deleteThread(t, unique("s"))).rejects.toBeInstanceOf(ForbiddenError);
      expect(await log.getThread(t)).not.toBeNull();
      // The tail is following the log live when the delete lands.
      await log.append(userMessage(t, 2));
      expect(await log.deleteThread(t, owner)).toEqual({ deleted: true });
      const { events, items } = await tail;
      expect(events.map((e) => e.event.id)).toEqual(["msg:u2"]);
      expect(items.at(-1)).toEqual({ kind: "deleted" });
      let removed = await watch.next();
      while (removed?.kind === "changed") removed = await watch.next(); // the second message's activity
      expect(removed).toEqual({ kind: "removed", threadId: t, position: expect.any(String) });
      expect((await log.listThreads(owner)).position).toBe(removed?.position);

      expect(await log.deleteThread(t, owner)).toEqual({ deleted: false });
      await expect(log.deleteThread(t, unique("s"))).rejects.toBeInstanceOf(ForbiddenError);
      await expect(log.deleteThread(unique("t"), owner)).rejects.toBeInstanceOf(NotFoundError);
      expect(await log.getThread(t)).toBeNull();
      expect((await log.listThreads(owner)).threads.map((r) => r.id)).toEqual([kept]);
      await expect(log.snapshot(t)).rejects.toBeInstanceOf(NotFoundError);
      await expect(log.read(t, null, 10)).rejects.toBeInstanceOf(NotFoundError);
      await expect(log.append(userMessage(t, 3))).rejects.toBeInstanceOf(NotFoundError);
      await expect(log.positions(t, owner)).rejects.toBeInstanceOf(NotFoundError);
      await expect(log.renameThread(t, "x")).rejects.toBeInstanceOf(NotFoundError);
      expect((await collect(log, t, cursor, () => false)).items).toEqual([{ kind: "deleted" }]);
      await expect(log.createThread({ id: t, owner, createdAt: Date.now() })).rejects.toThrow(/exists/);
      watch.stop();
    });

    it("appends in order and reads back after any cursor", async () => {
      const log = await make();
      const t = await newThread(log);
      const cursors: string[] = [];
      for (let i = 0; i < 5; i++) cursors.push((await log.append(userMessage(t, i))).cursor);
      for (let i = 1; i < cursors.length; i++) {
        const a = parseCursor(cursors[i - 1] as string);
        const b = parseCursor(cursors[i] as string);
        expect(a.epoch).toBe(b.epoch);
        expect(b.ms > a.ms || (b.ms === a.ms && b.seq > a.seq)).toBe(true);
      }
      const all = await log.read(t, null, 100);
      expect(all).toMatchObject({ kind: "events", more: false });
      if (all.kind !== "events") throw new Error("expected events");
      expect(all.events.map((e) => e.cursor)).toEqual(cursors);
      expect(all.events.map((e) => e.event.id)).toEqual(["msg:u0", "msg:u1", "msg:u2", "msg:u3", "msg:u4"]);
      const rest = await log.read(t, cursors[2] as string, 100);
      expect(rest.kind === "events" && rest.events.map((e) => e.event.id)).toEqual(["msg:u3", "msg:u4"]);
      const none = await log.read(t, cursors[4] as string, 100);
      expect(none).toEqual({ kind: "events", events: [], more: false });
    });

    it("pages with a limit", async () => {
      const log = await make();
      const t = await newThread(log);
      for (let i = 0; i < 7; i++) await log.append(delta(t, i));
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const page = await log.read(t, after, 3);
        if (page.kind !== "events") throw new Error("expected events");
        pages++;
        seen.push(...page.events.map((e) => e.event.id));
        after = page.events.at(-1)?.cursor ?? after;
        if (!page.more) break;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => `r1:d:${i}`));
    });

    it("writes an event id once, also under concurrent appenders", async () => {
      const log = await make();
      const t = await newThread(log);
      const first = await log.append(userMessage(t, 1));
      const again = await log.append({ ...userMessage(t, 1), text: "changed" });
      expect(again).toEqual({ cursor: first.cursor, duplicate: true, cancelRequested: false });

      const attempts = Array.from({ length: 60 }, (_, i) => log.append(delta(t, i % 12)));
      const results = await Promise.all(attempts);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(12);
      const read = await log.read(t, null, 1000);
      if (read.kind !== "events") throw new Error("expected events");
      expect(read.events).toHaveLength(13);
      expect(new Set(read.events.map((e) => e.event.id)).size).toBe(13);
      expect(read.events[0]?.event).toMatchObject({ text: "message 1" });
      for (const r of results) expect(read.events.some((e) => e.cursor === r.cursor)).toBe(true);
    });

    it("delivers every event exactly once, in order, across resumes", async () => {
      const log = await make();
      const t = await newThread(log);
      const origin = (await log.snapshot(t)).cursor;
      const total = 40;
      const writer = (async () => {
        for (let i = 0; i < total; i++) {
          await log.append(delta(t, i));
          if (i % 5 === 0) await new Promise((r) => setTimeout(r, 1));
        }
      })();
      const received: LoggedEvent[] = [];
      let cursor = origin;
      let resumes = 0;
      while (received.length < total) {
        // Drop the tail after a few events each time, then resume from the last cursor.
        // The connection drops after 7 events, even in the middle of a batch.
        const want = Math.min(7, total - received.length);
        const { events } = await collect(log, t, cursor, (got) => got.length >= want);
        received.push(...events.slice(0, want));
        cursor = received.at(-1)?.cursor ?? cursor;
        resumes++;
      }
      await writer;
      expect(resumes).toBeGreaterThan(3);
      expect(received.map((e) => e.event.id)).toEqual(Array.from({ length: total }, (_, i) => `r1:d:${i}`));
    });

    it("hands every live tail of a thread the same event object, so a frame is encoded once for all", async () => {
      const log = await make();
      const t = await newThread(log);
      const { cursor } = await log.snapshot(t);
      const controller = new AbortController();
      const tails = [0, 1].map(() => log.tail(t, cursor, controller.signal)[Symbol.asyncIterator]());
      const next = async (): Promise<(readonly LoggedEvent[])[]> => {
        const items = await Promise.all(tails.map((tail) => tail.next()));
        return items.map((item) => (item.value?.kind === "events" ? item.value.events : []));
      };
      const first = next();
      await log.append(userMessage(t, 1));
      expect((await first).map((events) => events.map((e) => e.event.id))).toEqual([["msg:u1"], ["msg:u1"]]);
      // Both tails now follow the log live: the next event reaches them as one object.
      const second = next();
      await log.append(userMessage(t, 2));
      const [a, b] = await second;
      expect(a?.[0]?.event.id).toBe("msg:u2");
      expect(a?.[0]).toBe(b?.[0]);
      controller.abort();
      await Promise.all(tails.map((tail) => tail.return?.()));
    });

    it("fans a thread out to subscribers joining at any moment: each gets every event after its cursor once, in order", async () => {
      const log = await make();
      const t = await newThread(log);
      const total = 240;
      const cursors: string[] = [(await log.snapshot(t)).cursor];
      const subscribers: { from: number; ids: string[]; objects: LoggedEvent[]; stop: () => void; ended: unknown[] }[] = [];
      const join = () => {
        // Any cursor seen so far: the origin, an old event's, or the newest one.
        const from = Math.floor(Math.random() * cursors.length);
        const sub = { from, ids: [] as string[], objects: [] as LoggedEvent[], stop: () => {}, ended: [] as unknown[] };
        sub.stop = log.subscribe(t, cursors[from] as string, {
          events: (events) => {
            for (const e of events) {
              sub.ids.push(e.event.id);
              sub.objects.push(e);
            }
          },
          reset: (reason) => sub.ended.push(reason),
          end: (error) => sub.ended.push(error ?? "end"),
        });
        subscribers.push(sub);
      };
      for (let i = 0; i < total; i++) {
        // Joins race the appends: before, during (not awaited yet) and after each one.
        if (i % 6 === 0) join();
        const appending = log.append(delta(t, i));
        if (i % 6 === 3) join();
        cursors.push((await appending).cursor);
        if (i % 10 === 0) await new Promise((r) => setImmediate(r));
      }
      join();
      const expected = (from: number) => Array.from({ length: total - from }, (_, k) => `r1:d:${from + k}`);
      await vi.waitFor(() => {
        for (const sub of subscribers) expect(sub.ids).toHaveLength(total - sub.from);
      });
      for (const sub of subscribers) {
        expect(sub.ids).toEqual(expected(sub.from));
        expect(sub.ended).toEqual([]);
      }
      // Subscribers that were live together got the last event as one shared object.
      const last = subscribers.map((sub) => sub.objects.at(-1));
      expect(new Set(last).size).toBeLessThan(subscribers.length);
      // After unsubscribing, nothing more arrives; a trimmed or foreign cursor gets a reset.
      for (const sub of subscribers) sub.stop();
      await log.append(userMessage(t, 1));
      expect(subscribers.every((sub) => sub.ids.length === total - sub.from)).toBe(true);
    });

    it("resets a subscriber whose cursor is unusable, and ends subscribers when the log closes", async () => {
      const log = await make({ maxEventsPerThread: 5 });
      const t = await newThread(log);
      const origin = (await log.snapshot(t)).cursor;
      for (let i = 0; i < 20; i++) await log.append(delta(t, i));
      const outcomes: unknown[] = [];
      const listener = (name: string) => ({
        events: () => {},
        reset: (reason: string) => outcomes.push(`${name}:reset:${reason}`),
        end: (error?: unknown) => outcomes.push(`${name}:end:${error === undefined ? "closed" : "error"}`),
      });
      log.subscribe(t, origin, listener("trimmed"));
      await vi.waitFor(() => expect(outcomes).toEqual(["trimmed:reset:trimmed"]));
      log.subscribe(t, (await log.snapshot(t)).cursor, listener("live"));
      await log.close();
      await vi.waitFor(() => expect(outcomes).toEqual(["trimmed:reset:trimmed", "live:end:closed"]));
    });

    it("wakes a waiting tail when an event is appended", async () => {
      const log = await make();
      const t = await newThread(log);
      const { cursor } = await log.snapshot(t);
      const tail = collect(log, t, cursor, (got) => got.length >= 2);
      await new Promise((r) => setTimeout(r, 50));
      await log.append(userMessage(t, 1));
      await log.append(userMessage(t, 2));
      const { events } = await tail;
      expect(events.map((e) => e.event.id)).toEqual(["msg:u1", "msg:u2"]);
    });

    it("keeps threads apart", async () => {
      const log = await make();
      const threads = await Promise.all(Array.from({ length: 20 }, () => newThread(log)));
      await Promise.all(threads.map((t, i) => log.append(userMessage(t, i))));
      const snapshots = await Promise.all(threads.map((t) => log.snapshot(t)));
      const tails = threads.map((t, i) => collect(log, t, snapshots[i]?.cursor as string, (got) => got.length >= 1));
      await Promise.all(threads.map((t, i) => log.append(delta(t, i))));
      for (const [i, { events }] of (await Promise.all(tails)).entries()) {
        expect(events.map((e) => [e.event.threadId, e.event.id])).toEqual([[threads[i], `r1:d:${i}`]]);
      }
    });

    it("snapshots the folded state and the cursor it is current to", async () => {
      const log = await make();
      const t = await newThread(log);
      const empty = await log.snapshot(t);
      expect(empty.state).toEqual(emptyThreadState(t));
      const events: ChatEvent[] = [
        userMessage(t, 1),
        { id: "r1:started", threadId: t, at: 1, type: "run.started", runId: "r1", messageId: "a1", replyTo: "u1", agent: "demo" },
        delta(t, 0, "Hel"),
        delta(t, 1, "lo"),
      ];
      let last = "";
      for (const e of events) last = (await log.append(e)).cursor;
      const snap = await log.snapshot(t);
      expect(snap.cursor).toBe(last);
      expect(snap.state).toEqual(foldEvents(emptyThreadState(t), events));
      expect(snap.state.messages[1]).toMatchObject({ text: "Hello", status: "streaming" });
    });

    it("answers a trimmed, unknown or other-epoch cursor with a reset", async () => {
      const log = await make({ maxEventsPerThread: 5 });
      const t = await newThread(log);
      const origin = (await log.snapshot(t)).cursor;
      const cursors: string[] = [];
      for (let i = 0; i < 30; i++) cursors.push((await log.append(delta(t, i))).cursor);
      expect(await log.read(t, origin, 10)).toEqual({ kind: "reset", reason: "trimmed" });
      expect(await log.read(t, cursors[0] as string, 10)).toEqual({ kind: "reset", reason: "trimmed" });
      const head = parseCursor(cursors.at(-1) as string);
      const beyond = formatCursor({ ...head, ms: head.ms + 60_000 });
      expect(await log.read(t, beyond, 10)).toEqual({ kind: "reset", reason: "unknown" });
      const otherEpoch = formatCursor({ ...head, epoch: head.epoch === "zzzz" ? "yyyy" : "zzzz" });
      expect(await log.read(t, otherEpoch, 10)).toEqual({ kind: "reset", reason: "epoch" });
      const recent = await log.read(t, cursors[27] as string, 10);
      expect(recent.kind === "events" && recent.events.map((e) => e.event.id)).toEqual(["r1:d:28", "r1:d:29"]);

      const { items } = await collect(log, t, origin, () => false);
      expect(items).toEqual([{ kind: "reset", reason: "trimmed" }]);
      const snap = await log.snapshot(t);
      expect(snap.cursor).toBe(cursors.at(-1));
      expect(snap.state.threadId).toBe(t);
    });

    it("keeps messages in the snapshot after their deltas are trimmed", async () => {
      const log = await make({ maxEventsPerThread: 5 });
      const t = await newThread(log);
      await log.append(userMessage(t, 1));
      await log.append({
        id: "r1:started",
        threadId: t,
        at: 1,
        type: "run.started",
        runId: "r1",
        messageId: "a1",
        replyTo: "u1",
        agent: "demo",
      });
      for (let i = 0; i < 20; i++) await log.append(delta(t, i, "x"));
      await log.append({
        id: "r1:done",
        threadId: t,
        at: 2,
        type: "message.completed",
        runId: "r1",
        messageId: "a1",
        text: "x".repeat(20),
      });
      const snap = await log.snapshot(t);
      expect(snap.state.messages.map((m) => [m.id, m.text, m.status])).toEqual([
        ["u1", "message 1", "complete"],
        ["a1", "x".repeat(20), "complete"],
      ]);
    });

    it("refuses appends to an unknown thread", async () => {
      const log = await make();
      await expect(log.append(userMessage(unique("t"), 1))).rejects.toBeInstanceOf(NotFoundError);
    });

    it("after close: appends reject and open tails and thread watches end", async () => {
      const log = await make();
      const t = await newThread(log);
      const { cursor } = await log.snapshot(t);
      const tail = collect(log, t, cursor, () => false);
      const watch = watchOwner(log, "s_owner");
      await watch.next();
      const watchEnd = watch.next();
      await new Promise((r) => setTimeout(r, 50));
      await log.close();
      await expect(tail).resolves.toEqual({ events: [], items: [] });
      await expect(watchEnd).resolves.toBeUndefined();
      await expect(log.append(userMessage(t, 1))).rejects.toBeInstanceOf(UnavailableError);
      await log.close();
    });
  });
}
