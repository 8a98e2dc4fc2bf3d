import { createSignal, onCleanup, Show } from "solid-js";
import type { LiveStatus } from "../primitives/create-live-thread.ts";

const LABELS: Record<LiveStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  paused: "Paused while hidden",
  idle: "Idle",
  gone: "Unavailable",
};

const two = (n: number) => String(n).padStart(2, "0");
/** HH:MM:SS in local time. */
export const clockTime = (at: number) => {
  const d = new Date(at);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
};

/**
 * A dot and a word for the open thread: "Live" only while a stream is open; idle (no
 * stream held, on-demand) says when the thread was last proved current; offline counts
 * down to the next try, each second, and offers Retry now. The countdown is left out of
 * what screen readers announce (a change a second would drown everything else); the
 * state's word is announced when it changes.
 */
export function ConnectionStatus(props: { status: LiveStatus; retryAt?: number | null; asOf?: number | null; onRetry?: () => void }) {
  const [now, setNow] = createSignal(Date.now());
  const tick = setInterval(() => setNow(Date.now()), 250);
  onCleanup(() => clearInterval(tick));
  const detail = () => {
    if (props.status === "idle" && props.asOf) return ` · up to date as of ${clockTime(props.asOf)}`;
    if (props.status !== "offline") return "";
    if (!props.retryAt) return " · retrying now";
    return ` · retrying in ${Math.max(0, Math.ceil((props.retryAt - now()) / 1000))} s`;
  };
  return (
    <>
      <span class="connection" data-status={props.status} role="status">
        <span class="connection-dot" aria-hidden="true" />
        <span>
          {LABELS[props.status]}
          <span aria-live="off">{detail()}</span>
        </span>
      </span>
      <Show when={props.status === "offline" && props.onRetry}>
        {(retry) => (
          <button type="button" class="retry-now" onClick={() => retry()()}>
            Retry now
          </button>
        )}
      </Show>
    </>
  );
}
