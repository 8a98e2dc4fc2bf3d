import type { ConnectionStatus as Status } from "../primitives/create-thread-stream.ts";

const LABELS: Record<Status, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

/** A dot and a word for the active thread's stream. */
export function ConnectionStatus(props: { status: Status }) {
  return (
    <span class="connection" data-status={props.status} role="status">
      <span class="connection-dot" aria-hidden="true" />
      {LABELS[props.status]}
    </span>
  );
}
