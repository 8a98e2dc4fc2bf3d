import { type Accessor, createSignal, onCleanup } from "solid-js";

/**
 * Watches the page's visibility; reactive-free. `onChange(true)` once the page has been
 * hidden for `ms` without interruption, `onChange(false)` as soon as it is shown again.
 * @returns a function that stops watching and cancels a pending timer.
 */
export function makeHiddenFor(ms: number, onChange: (hiddenLong: boolean) => void, doc: Document = document): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const update = () => {
    clearTimeout(timer);
    if (doc.visibilityState === "hidden") timer = setTimeout(() => onChange(true), ms);
    else onChange(false);
  };
  doc.addEventListener("visibilitychange", update);
  update();
  return () => {
    clearTimeout(timer);
    doc.removeEventListener("visibilitychange", update);
  };
}

/** True while the page has been hidden for at least `ms`; the watch ends with the owner. */
export function createHiddenFor(ms: number, doc: Document = document): Accessor<boolean> {
  const [hidden, setHidden] = createSignal(false);
  onCleanup(makeHiddenFor(ms, setHidden, doc));
  return hidden;
}
