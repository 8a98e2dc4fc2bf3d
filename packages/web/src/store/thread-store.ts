import { applyEvent, type ChatEvent, emptyThreadState, type ThreadState } from "@murmur/core/chat";
import { type Accessor, batch, createSignal } from "solid-js";

/**
 * One thread's messages as the stream has delivered them, and the cursor they are
 * current to. The state is immutable (core's reducer makes each next state), held in a
 * signal; lists render it with `<Index>` so a delta updates one row, not the list.
 */
export interface ThreadStore {
  readonly threadId: string;
  readonly state: Accessor<ThreadState>;
  /** The cursor of the last frame applied; null until the first snapshot. Resuming needs it. */
  readonly cursor: Accessor<string | null>;
  /** Replaces everything: a `snapshot`, or a `reset` after a cursor could not be resumed. */
  replace(state: ThreadState, cursor: string): void;
  /**
   * Applies one event at `cursor`. Repeats are harmless (the reducer ignores what it has
   * absorbed) but still advance the cursor. Frames for another thread are ignored.
   */
  apply(event: ChatEvent, cursor: string): void;
}

/** Creates an empty store for `threadId`. Needs no reactive owner. */
export function createThreadStore(threadId: string): ThreadStore {
  const [state, setState] = createSignal(emptyThreadState(threadId));
  const [cursor, setCursor] = createSignal<string | null>(null);
  return {
    threadId,
    state,
    cursor,
    replace(next, at) {
      if (next.threadId !== threadId) return;
      batch(() => {
        setState(next);
        setCursor(at);
      });
    },
    apply(event, at) {
      if (event.threadId !== threadId) return;
      batch(() => {
        setState((current) => applyEvent(current, event));
        setCursor(at);
      });
    },
  };
}
