import { onCleanup } from "solid-js";

/** What a shortcut does; return false to let the key go on to the page. */
export type ShortcutHandler = (event: KeyboardEvent) => boolean | undefined;

/**
 * Page-wide keys: `Escape`, and `Mod+K` (Ctrl on most systems, Cmd on Apple ones).
 * Handled keys are kept from the page's default; the listener goes with its owner.
 */
export function createShortcuts(handlers: { escape?: ShortcutHandler; modK?: ShortcutHandler }): void {
  const onKey = (event: KeyboardEvent) => {
    if (event.defaultPrevented || event.isComposing) return;
    const handler =
      event.key === "Escape"
        ? handlers.escape
        : event.key.toLowerCase() === "k" && (event.ctrlKey || event.metaKey) && !event.altKey
          ? handlers.modK
          : undefined;
    if (handler && handler(event) !== false) event.preventDefault();
  };
  window.addEventListener("keydown", onKey);
  onCleanup(() => window.removeEventListener("keydown", onKey));
}
