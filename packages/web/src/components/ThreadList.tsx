import { For } from "solid-js";
import type { ThreadRecord } from "../api.ts";

/** The caller's threads, newest activity first, with a "New chat" button on top. */
export function ThreadList(props: {
  threads: readonly ThreadRecord[];
  activeId: string | undefined;
  onSelect: (threadId: string) => void;
  onNew: () => void;
  creating?: boolean;
}) {
  return (
    <nav class="threads" aria-label="Chats">
      <button type="button" class="new-chat" onClick={() => props.onNew()} disabled={props.creating}>
        New chat
      </button>
      <ul>
        <For each={props.threads}>
          {(thread) => (
            <li>
              <button
                type="button"
                aria-current={thread.id === props.activeId ? "page" : undefined}
                onClick={() => props.onSelect(thread.id)}
              >
                {thread.title ?? "Untitled chat"}
              </button>
            </li>
          )}
        </For>
      </ul>
    </nav>
  );
}
