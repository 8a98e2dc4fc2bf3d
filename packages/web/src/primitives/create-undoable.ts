import { type Accessor, createSignal, onCleanup } from "solid-js";

/** Actions held back for a few seconds so they can be undone, then carried out. */
export interface Undoable {
  /** The keys held back now, oldest first. */
  readonly pending: Accessor<readonly string[]>;
  /** Holds `key`'s action back for the delay, then runs it. Asking again for a key already held does nothing. */
  hold(key: string, run: (options: { leaving: boolean }) => void): void;
  /** Takes `key`'s action back before it ran; false when it is not held any more. */
  undo(key: string): boolean;
}

/**
 * Undo by waiting: an action (deleting a chat) is held `delayMs` before it is carried
 * out, while the UI already shows it done; undo cancels it, nothing having been sent.
 * When the page goes away (`pagehide`), held actions run at once (with `leaving`, so a
 * request can be sent with `keepalive`). The timers go with the owner.
 */
export function createUndoable(delayMs: number): Undoable {
  const [pending, setPending] = createSignal<readonly string[]>([]);
  const held = new Map<string, { timer: ReturnType<typeof setTimeout>; run: (options: { leaving: boolean }) => void }>();
  const drop = (key: string) => {
    const entry = held.get(key);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    held.delete(key);
    setPending((keys) => keys.filter((k) => k !== key));
    return entry;
  };
  const runAll = () => {
    for (const key of [...held.keys()]) drop(key)?.run({ leaving: true });
  };
  window.addEventListener("pagehide", runAll);
  onCleanup(() => {
    window.removeEventListener("pagehide", runAll);
    for (const { timer } of held.values()) clearTimeout(timer);
    held.clear();
  });
  return {
    pending,
    hold(key, run) {
      if (held.has(key)) return;
      const timer = setTimeout(() => drop(key)?.run({ leaving: false }), delayMs);
      held.set(key, { timer, run });
      setPending((keys) => [...keys, key]);
    },
    undo: (key) => drop(key) !== undefined,
  };
}
