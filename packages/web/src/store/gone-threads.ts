import { type Accessor, createSignal, untrack } from "solid-js";
import type { GoneCode } from "../primitives/thread-stream.ts";

/**
 * The threads the server answered 404 or 403 for during this page's life, and which of
 * the two: the stream (through its hub, for every tab) and the idle check record them;
 * the app leaves them out of the list and says so where one is open; nothing streams them again.
 */
export interface GoneThreads {
  readonly all: Accessor<ReadonlyMap<string, GoneCode>>;
  mark(threadId: string, code: GoneCode): void;
}

/** An empty record. Needs no reactive owner. */
export function createGoneThreads(): GoneThreads {
  const [all, setAll] = createSignal<ReadonlyMap<string, GoneCode>>(new Map());
  return {
    all,
    mark(threadId, code) {
      if (untrack(all).get(threadId) !== code) setAll((current) => new Map([...current, [threadId, code]]));
    },
  };
}
