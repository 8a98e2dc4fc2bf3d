import { For, Show } from "solid-js";
import type { ThreadRecord } from "../api.ts";

/** True when the thread has activity its owner has not seen yet. */
export const isUnread = (thread: ThreadRecord) => thread.title !== null && thread.updatedAt > (thread.readAt ?? 0);

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

/** Last activity, short: the time today, else the day. */
export function activityLabel(at: number, now = Date.now()): string {
  return new Date(at).toDateString() === new Date(now).toDateString() ? timeFormat.format(at) : dayFormat.format(at);
}

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
          {(thread) => {
            const unread = () => thread.id !== props.activeId && isUnread(thread);
            return (
              <li>
                <a
                  href={`/t/${thread.id}`}
                  class="thread"
                  aria-current={thread.id === props.activeId ? "page" : undefined}
                  data-unread={unread() ? "" : undefined}
                  onClick={(event) => {
                    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
                    event.preventDefault();
                    props.onSelect(thread.id);
                  }}
                >
                  <span class="thread-title">{thread.title ?? "New chat"}</span>
                  <time class="thread-time" dateTime={new Date(thread.updatedAt).toISOString()}>
                    {activityLabel(thread.updatedAt)}
                  </time>
                  <Show when={unread()}>
                    <span class="badge">
                      <span class="sr-only">, </span>unread
                    </span>
                  </Show>
                </a>
              </li>
            );
          }}
        </For>
      </ul>
    </nav>
  );
}
