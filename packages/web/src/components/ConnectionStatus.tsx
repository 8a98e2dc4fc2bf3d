import { createSignal, onCleanup } from "solid-js";
import type { ConnectionStatus as Status } from "../primitives/create-thread-stream.ts";

const LABELS: Record<Status, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  paused: "Paused while hidden",
};

/** A dot and a word for the active thread's stream; while offline, when the next try comes. */
export function ConnectionStatus(props: { status: Status; retryAt?: number | null }) {
  const [now, setNow] = createSignal(Date.now());
  const tick = setInterval(() => setNow(Date.now()), 250);
  onCleanup(() => clearInterval(tick));
  const countdown = () => {
    if (!props.retryAt) return "";
    return ` · retrying in ${Math.max(0, Math.ceil((props.retryAt - now()) / 1000))} s`;
  };
  return (
    <span class="connection" data-status={props.status} role="status">
      <span class="connection-dot" aria-hidden="true" />
      {LABELS[props.status]}
      {countdown()}
    </span>
  );
}
