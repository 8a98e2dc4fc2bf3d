// Fakes of the browser parts the stream primitives use, for tests under jsdom: an
// EventSource driven by hand, and a BroadcastChannel and Web Locks shared by "tabs" that
// deliver only when the test says so (as the browser does, never inside the caller).
import type { EventSourceFactory } from "../api.ts";
import type { ChannelLike } from "../primitives/stream-hub.ts";
import type { LocksLike } from "../primitives/tab-lock.ts";

/** Just enough EventSource: the test opens, fails and feeds it by hand. */
export class FakeEventSource extends EventTarget {
  static all: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  constructor(readonly url: string) {
    super();
    FakeEventSource.all.push(this);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.dispatchEvent(new Event("open"));
  }
  /** A dropped connection: EventSource retries by itself unless `final` (a non-200 answer). */
  fail(final: boolean) {
    this.readyState = final ? 2 : 0;
    this.dispatchEvent(new Event("error"));
  }
  emit(type: string, data: unknown, id = "") {
    if (!this.closed) this.dispatchEvent(new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id }));
  }
}

export const createFakeSource: EventSourceFactory = (url) => new FakeEventSource(url) as unknown as EventSource;
export const openSources = () => FakeEventSource.all.filter((s) => !s.closed);

type Listener = (event: MessageEvent) => void;

/**
 * The tabs of one origin: a channel and a lock manager per tab. Messages and lock grants
 * wait in a queue until `settle()`; `crash(tab)` ends a tab without a word (its locks are
 * freed, its channel goes quiet), as a killed renderer would.
 */
export class FakeTabs {
  private readonly queue: (() => void)[] = [];
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly holders = new Map<string, string>(); // lock name -> tab
  private readonly waiting = new Map<string, { tab: string; signal?: AbortSignal; grant: () => void }[]>();
  private readonly dead = new Set<string>();
  private readonly releases = new Map<string, () => void>(); // lock name -> release

  channel(tab: string): ChannelLike {
    const own = new Set<Listener>();
    this.listeners.set(tab, own);
    return {
      postMessage: (message) => {
        if (this.dead.has(tab)) return;
        const data = structuredClone(message);
        for (const [other, listeners] of this.listeners) {
          if (other === tab) continue;
          this.queue.push(() => {
            if (this.dead.has(other)) return;
            for (const listener of listeners) listener(new MessageEvent("message", { data }));
          });
        }
      },
      addEventListener: (_type, listener) => own.add(listener),
      removeEventListener: (_type, listener) => own.delete(listener),
      close: () => this.listeners.delete(tab),
    };
  }

  locks(tab: string): LocksLike {
    return {
      request: (name, options, callback) =>
        new Promise((resolve, reject) => {
          const entry = {
            tab,
            signal: options.signal,
            grant: () => {
              if (this.dead.has(tab)) {
                this.holders.delete(name);
                return this.next(name);
              }
              this.holders.set(name, tab);
              const done = () => {
                if (this.holders.get(name) !== tab) return;
                this.holders.delete(name);
                this.releases.delete(name);
                this.next(name);
              };
              this.releases.set(name, done);
              callback().then(done, done);
              resolve(undefined);
            },
          };
          options.signal?.addEventListener("abort", () => {
            const list = this.waiting.get(name) ?? [];
            if (list.includes(entry)) {
              list.splice(list.indexOf(entry), 1);
              reject(new DOMException("aborted", "AbortError"));
            }
          });
          this.waiting.set(name, [...(this.waiting.get(name) ?? []), entry]);
          if (!this.holders.has(name)) this.next(name);
        }),
    };
  }

  /** Who holds lock `name`. */
  holder(name: string): string | undefined {
    return this.holders.get(name);
  }

  crash(tab: string): void {
    this.dead.add(tab);
    this.listeners.delete(tab);
    for (const [name, list] of this.waiting)
      this.waiting.set(
        name,
        list.filter((w) => w.tab !== tab),
      );
    for (const [name, holder] of [...this.holders]) if (holder === tab) this.releases.get(name)?.();
  }

  /** Delivers queued messages and lock grants (and what they cause) until nothing is left. */
  async settle(): Promise<void> {
    for (let round = 0; round < 100; round++) {
      await new Promise<void>((r) => queueMicrotask(r));
      await Promise.resolve();
      if (this.queue.length === 0) return;
      for (const run of this.queue.splice(0)) run();
    }
    throw new Error("tabs never settled");
  }

  private next(name: string): void {
    const list = this.waiting.get(name) ?? [];
    const entry = list.shift();
    if (!entry) return;
    this.holders.set(name, entry.tab);
    this.queue.push(entry.grant);
  }
}
