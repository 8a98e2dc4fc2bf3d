import { createSignal, For, Show } from "solid-js";
import type { ThreadRecord } from "../api.ts";
import { exactTime, relativeTime } from "../relative-time.ts";

/** How long after a rename a redrawn row still takes the focus back (the rename's update lands well within). */
const RETURN_FOCUS_MS = 3_000;

/** True when the thread has activity its owner has not seen yet. */
export const isUnread = (thread: ThreadRecord) => thread.title !== null && thread.updatedAt > (thread.readAt ?? 0);

/** The title a thread shows: its own, else "New chat" until the first message names it. */
export const titleOf = (thread: Pick<ThreadRecord, "title">) => thread.title ?? "New chat";

/** True when the thread's title holds every word of `query` (any case). */
export function matchesQuery(thread: ThreadRecord, query: string): boolean {
  const title = titleOf(thread).toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => title.includes(word));
}

/**
 * The caller's threads, newest activity first: "New chat", a search box that filters by
 * title, then each thread with its last activity, an unread badge, and Rename and
 * Delete. The list loads page by page ("Show more").
 */
export function ThreadList(props: {
  threads: readonly ThreadRecord[];
  activeId: string | undefined;
  onSelect: (threadId: string) => void;
  onNew: () => void;
  creating?: boolean;
  onRename: (threadId: string, title: string) => Promise<unknown>;
  onDelete: (threadId: string) => void;
  query: string;
  onQuery: (query: string) => void;
  /** The search box, for Ctrl/Cmd+K. */
  searchRef?: (element: HTMLInputElement) => void;
  /** Older threads are still to load. */
  hasMore: boolean;
  loadingMore: boolean;
  onMore: () => void;
  now: number;
}) {
  const [editing, setEditing] = createSignal<string>();
  // The row focus returns to after a rename: kept while the list redraws that row (the
  // rename's own update replaces it), until focus moves on elsewhere or a few seconds pass.
  const [returnFocus, setReturnFocus] = createSignal<string>();
  const shown = () => props.threads.filter((t) => matchesQuery(t, props.query));
  return (
    <nav class="threads" id="threads" aria-label="Chats">
      <button type="button" class="new-chat" onClick={() => props.onNew()} disabled={props.creating}>
        New chat
      </button>
      <input
        ref={props.searchRef}
        class="search"
        type="search"
        aria-label="Search chats"
        aria-keyshortcuts="Control+K Meta+K"
        placeholder="Search chats (Ctrl+K)"
        value={props.query}
        onInput={(event) => props.onQuery(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key !== "Escape" || props.query === "") return;
          event.preventDefault(); // clears the search, not the reply
          props.onQuery("");
        }}
      />
      <ul>
        <For each={shown()}>
          {(thread) => (
            <Show
              when={editing() === thread.id}
              fallback={
                <ThreadRow
                  thread={thread}
                  {...props}
                  onEdit={() => setEditing(thread.id)}
                  takesFocus={returnFocus() === thread.id}
                  onFocusMoved={() => setReturnFocus(undefined)}
                />
              }
            >
              <li>
                <RenameBox
                  title={thread.title ?? ""}
                  onDone={(title) => {
                    // Focus goes back to the chat's row, not to the page.
                    setReturnFocus(thread.id);
                    setTimeout(() => setReturnFocus((id) => (id === thread.id ? undefined : id)), RETURN_FOCUS_MS);
                    setEditing(undefined);
                    if (title !== null && title !== thread.title) void props.onRename(thread.id, title).catch(() => undefined);
                  }}
                />
              </li>
            </Show>
          )}
        </For>
      </ul>
      <Show when={props.query !== "" && shown().length === 0 && !props.hasMore}>
        <p class="threads-empty">No chats match “{props.query}”.</p>
      </Show>
      <Show when={props.hasMore}>
        <button type="button" class="more" onClick={() => props.onMore()} disabled={props.loadingMore}>
          {props.loadingMore ? "Loading…" : "Show more"}
        </button>
      </Show>
    </nav>
  );
}

function ThreadRow(props: {
  thread: ThreadRecord;
  activeId: string | undefined;
  onSelect: (threadId: string) => void;
  onDelete: (threadId: string) => void;
  onEdit: () => void;
  /** Focus this row's link when it appears (after a rename, also when the list redraws it). */
  takesFocus: boolean;
  /** Focus went from this row's link to somewhere else on the page. */
  onFocusMoved: () => void;
  now: number;
}) {
  const thread = () => props.thread;
  const unread = () => thread().id !== props.activeId && isUnread(thread());
  return (
    <li class="thread-row" aria-current={thread().id === props.activeId ? "page" : undefined}>
      <a
        ref={(el) => {
          if (props.takesFocus) queueMicrotask(() => el.focus());
        }}
        onBlur={(event) => {
          if (event.relatedTarget !== null) props.onFocusMoved();
        }}
        href={`/t/${thread().id}`}
        class="thread"
        aria-current={thread().id === props.activeId ? "page" : undefined}
        data-unread={unread() ? "" : undefined}
        onClick={(event) => {
          if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
          event.preventDefault();
          props.onSelect(thread().id);
        }}
      >
        <span class="thread-title">{titleOf(thread())}</span>
        <time class="thread-time" dateTime={new Date(thread().updatedAt).toISOString()} title={exactTime(thread().updatedAt)}>
          {relativeTime(thread().updatedAt, props.now)}
        </time>
        <Show when={unread()}>
          <span class="badge">
            <span class="sr-only">, </span>unread
          </span>
        </Show>
      </a>
      <span class="thread-actions">
        <button type="button" class="icon" aria-label={`Rename “${titleOf(thread())}”`} title="Rename" onClick={() => props.onEdit()}>
          ✎
        </button>
        <button
          type="button"
          class="icon"
          aria-label={`Delete “${titleOf(thread())}”`}
          title="Delete"
          onClick={() => props.onDelete(thread().id)}
        >
          ×
        </button>
      </span>
    </li>
  );
}

/** The title being edited: Enter or leaving the box keeps it, Escape gives up. */
function RenameBox(props: { title: string; onDone: (title: string | null) => void }) {
  let done = false;
  const finish = (title: string | null) => {
    if (done) return;
    done = true;
    props.onDone(title === null || title.trim() === "" ? null : title.trim());
  };
  return (
    <input
      ref={(el) => queueMicrotask(() => el.select())}
      class="rename"
      aria-label="Chat title"
      maxLength={80}
      value={props.title}
      onKeyDown={(event) => {
        if (event.key === "Enter") finish(event.currentTarget.value);
        else if (event.key === "Escape") {
          event.preventDefault();
          finish(null);
        }
      }}
      onBlur={(event) => finish(event.currentTarget.value)}
    />
  );
}
