import { For } from "solid-js";

/** "Chat deleted. Undo" for each delete still held back; announced politely to screen readers. */
export function UndoToast(props: { items: readonly { id: string; label: string }[]; onUndo: (id: string) => void }) {
  return (
    <div class="toasts" role="status" aria-live="polite">
      <For each={props.items}>
        {(item) => (
          <p class="toast">
            <span>
              Deleted “<span class="toast-title">{item.label}</span>”.
            </span>
            <button type="button" onClick={() => props.onUndo(item.id)}>
              Undo
            </button>
          </p>
        )}
      </For>
    </div>
  );
}
