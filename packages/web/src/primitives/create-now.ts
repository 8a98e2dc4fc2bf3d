import { type Accessor, createSignal, onCleanup } from "solid-js";

/** The time now, updated every `everyMs` (relative timestamps move on while the page is open); stops with its owner. */
export function createNow(everyMs = 30_000): Accessor<number> {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), everyMs);
  onCleanup(() => clearInterval(timer));
  return now;
}
