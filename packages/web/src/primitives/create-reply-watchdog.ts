import type { ChatMessage } from "@murmur/core/chat";
import { type Accessor, createEffect, on, onCleanup } from "solid-js";

/** How long past a reply's lease the watchdog waits: the server's lease is renewed at its last append, a moment before the client saw it. */
export const WATCHDOG_MARGIN_MS = 2000;

/** What a streaming reply has shown so far; any change is progress. Empty when nothing streams. */
const progressOf = (messages: readonly ChatMessage[]) =>
  messages
    .filter((m) => m.role === "assistant" && m.status === "streaming")
    .map((m) => `${m.id}:${m.lastSeq ?? -1}:${m.text.length}:${m.stopping === true}`)
    .join(" ");

/**
 * Calls `touch` when a reply has been streaming for `leaseMs()` + a margin with no
 * progress (no delta, no other change to it), and again each such period while it stays
 * so. The server ends a reply whose writer went away (its lease lapsed, RUN_LEASE_MS)
 * only when someone next touches the thread; an open tab touches it, so the failure is
 * produced and delivered, and the reply ends (with Retry) instead of streaming for ever.
 * A touch that finds the writer alive changes nothing. Stops while `active()` is false.
 */
export function createReplyWatchdog(
  messages: Accessor<readonly ChatMessage[]>,
  leaseMs: Accessor<number | undefined>,
  active: Accessor<boolean>,
  touch: () => void,
): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  createEffect(
    on([() => progressOf(messages()), leaseMs, active], ([progress, lease, on]) => {
      clearTimeout(timer);
      if (progress === "" || lease === undefined || !on) return;
      const arm = () => {
        timer = setTimeout(() => {
          arm();
          touch();
        }, lease + WATCHDOG_MARGIN_MS);
      };
      arm();
    }),
  );
  onCleanup(() => clearTimeout(timer));
}
