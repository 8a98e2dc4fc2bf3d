import type { ChatMessage } from "@murmur/core/chat";
import { createEffect, createResource, createSignal, ErrorBoundary, on, onCleanup, Show } from "solid-js";
import {
  cancelRun,
  createThread,
  deleteThread,
  listThreads,
  markRead,
  onSessionRenewed,
  regenerateReply,
  renameThread,
  sendMessage,
  startSession,
  type ThreadRecord,
  type ThreadList as Threads,
} from "../api.ts";
import { config } from "../config.ts";
import { createHiddenFor } from "../primitives/create-hidden-for.ts";
import { createLiveThread, type ListFrame } from "../primitives/create-live-thread.ts";
import { createNow } from "../primitives/create-now.ts";
import { createShortcuts } from "../primitives/create-shortcuts.ts";
import { createThreadRoute } from "../primitives/create-thread-route.ts";
import { createUndoable } from "../primitives/create-undoable.ts";
import { createGoneThreads } from "../store/gone-threads.ts";
import { appendPage, applyListFrame, upsertThread } from "../store/thread-list.ts";
import { Composer, type ComposerControl } from "./Composer.tsx";
import { ConnectionStatus } from "./ConnectionStatus.tsx";
import { GoneNotice } from "./GoneNotice.tsx";
import { MessageList } from "./MessageList.tsx";
import { isUnread, matchesQuery, ThreadList, titleOf } from "./ThreadList.tsx";
import { UndoToast } from "./UndoToast.tsx";

/** How long a deleted chat can be brought back before the delete is sent. */
export const UNDO_MS = 5000;

/** The chat page: threads on the side, the active thread's live messages, the composer. */
export function App() {
  return (
    <ErrorBoundary
      fallback={(error: unknown) => (
        <main class="fatal" role="alert">
          <p>Murmur could not start: {error instanceof Error ? error.message : String(error)}</p>
          <button type="button" onClick={() => location.reload()}>
            Try again
          </button>
        </main>
      )}
    >
      <Chat />
    </ErrorBoundary>
  );
}

const reportError = (error: unknown) => console.warn(error instanceof Error ? error.message : error);
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function Chat() {
  // Reading a failed resource throws, so a failed session or first list shows the fallback above.
  const [session, { mutate: setSession }] = createResource(startSession);
  // A request the server refused for its session started a new one (api.ts): the list is the new session's.
  onCleanup(onSessionRenewed(setSession));
  const ready = () => session()?.sessionId !== undefined;
  // A failed refresh keeps the list already shown; only the first load can fail the page.
  const [threads, { mutate, refetch }] = createResource(
    () => session()?.sessionId,
    (_sessionId, { value }: { value: Threads | undefined }) =>
      listThreads().catch((error: unknown) => (value ? value : Promise.reject(error))),
  );
  const [routed, navigate] = createThreadRoute();
  const [creating, setCreating] = createSignal(false);
  const [actionError, setActionError] = createSignal<string>();
  const [query, setQuery] = createSignal("");
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [sidebarOpen, setSidebarOpen] = createSignal(false);
  /** Threads deleted while this page is open (here or elsewhere): never opened again. */
  const [gone, setGone] = createSignal<ReadonlySet<string>>(new Set());
  /** Threads the server no longer has for this session (404, 403): said so where one is open. */
  const lost = createGoneThreads();
  const deletes = createUndoable(UNDO_MS);
  const now = createNow();
  let composer: ComposerControl | undefined;
  let search: HTMLInputElement | undefined;

  const hiddenIds = () => new Set([...gone(), ...deletes.pending()]);
  // Threads the server no longer has leave the list, but one open stays open, to say so.
  const list = () => (threads.latest?.threads ?? []).filter((t) => !hiddenIds().has(t.id) && !lost.all().has(t.id));
  const activeId = () => {
    const id = routed();
    return id !== undefined && !hiddenIds().has(id) ? id : list()[0]?.id;
  };
  const active = () => list().find((t) => t.id === activeId());
  const hidden = createHiddenFor(config.hiddenCloseMs);

  const removeThread = (threadId: string) => {
    setGone((ids) => new Set([...ids, threadId]));
    if (routed() === threadId) navigate(list()[0]?.id, true);
  };
  const onList = (frame: ListFrame) => {
    mutate((current) => applyListFrame(current, frame));
    if (frame.kind === "removed") removeThread(frame.threadId);
  };
  // The thread's stream, held as the session's policy says and shared by this browser's
  // tabs, also carries the thread list and its changes, so unread badges, titles, order
  // and deletions stay live over a connection the browser holds anyway.
  const stream = createLiveThread(activeId, {
    settings: () => session()?.stream,
    hidden,
    position: () => threads.latest?.position ?? null,
    onList,
    gone: lost,
    persistent: () => session()?.persistent ?? null,
  });
  const messages = (): readonly ChatMessage[] => stream.store()?.state().messages ?? [];
  const activeGone = () => {
    const id = activeId();
    return id === undefined ? undefined : lost.all().get(id);
  };
  // A thread found gone may not be the only one (a server that lost its chats lost them all): ask for the list again.
  createEffect(
    on(
      () => lost.all().size,
      (count, before) => {
        if (count > (before ?? 0)) void refetch();
      },
      { defer: true },
    ),
  );
  const running = () => messages().findLast((m) => m.role === "assistant" && m.status === "streaming");

  // With no thread there is no stream: a thread made in another tab shows up on focus.
  const onFocus = () => {
    if (!activeId()) void refetch();
  };
  window.addEventListener("focus", onFocus);
  onCleanup(() => window.removeEventListener("focus", onFocus));
  // One read at a time per thread: a reply's end and the list's change for it both ask.
  const reading = new Set<string>();
  const read = (threadId: string) => {
    if (reading.has(threadId)) return;
    reading.add(threadId);
    markRead(threadId)
      .then(({ readAt }) =>
        mutate((current) => {
          const record = current?.threads.find((t) => t.id === threadId);
          return current && record ? { ...current, threads: upsertThread(current.threads, { ...record, readAt }) } : current;
        }),
      )
      .catch(reportError)
      .finally(() => reading.delete(threadId));
  };
  // A reply counts as read once it has been on screen: the thread is open and the tab visible.
  const ended = () => messages().filter((m) => m.status !== "streaming").length;
  const activeUnread = () => {
    const record = active();
    return record !== undefined && isUnread(record);
  };
  createEffect(
    on([activeId, ended, hidden, activeUnread], ([threadId, count, isHidden, unread], previous) => {
      if (!threadId || isHidden || document.visibilityState === "hidden") return;
      const endedWhileWatching = previous?.[0] === threadId && count > previous[1];
      if (unread || endedWhileWatching) read(threadId);
    }),
  );
  createEffect(() => {
    document.title = active()?.title ? `${active()?.title} · Murmur` : "Murmur";
  });

  // While a search is typed, older pages load too, so it finds every chat, not only the loaded ones.
  const loadMore = async () => {
    const next = threads.latest?.next;
    if (!next || loadingMore()) return;
    setLoadingMore(true);
    try {
      const page = await listThreads(next);
      mutate((current) => appendPage(current, page));
    } catch (error) {
      setActionError(messageOf(error));
    } finally {
      setLoadingMore(false);
    }
  };
  createEffect(
    on([query, () => threads.latest?.next, loadingMore], ([q, next, loading]) => {
      if (q.trim() !== "" && next && !loading && list().filter((t) => matchesQuery(t, q)).length < 20) void loadMore();
    }),
  );

  const newThread = async (): Promise<ThreadRecord> => {
    const thread = await createThread();
    mutate((current) => ({
      threads: upsertThread(current?.threads ?? [], thread),
      position: current?.position ?? null,
      next: current?.next ?? null,
    }));
    navigate(thread.id);
    return thread;
  };

  const onNew = async () => {
    setCreating(true);
    setActionError(undefined);
    setSidebarOpen(false);
    try {
      await newThread();
      composer?.focus();
    } catch (error) {
      setActionError(messageOf(error));
    } finally {
      setCreating(false);
    }
  };

  const onSelect = (threadId: string) => {
    navigate(threadId);
    setSidebarOpen(false);
  };

  const onRename = async (threadId: string, title: string) => {
    try {
      const thread = await renameThread(threadId, title);
      mutate((current) => current && { ...current, threads: upsertThread(current.threads, thread) });
    } catch (error) {
      setActionError(messageOf(error));
    }
  };

  // Deleting waits UNDO_MS with the chat hidden; Undo brings it back and nothing was sent.
  const onDelete = (threadId: string) => {
    setActionError(undefined);
    const wasActive = activeId() === threadId;
    deletes.hold(threadId, ({ leaving }) => {
      removeThread(threadId);
      deleteThread(threadId, { keepalive: leaving }).catch((error: unknown) => {
        setGone((ids) => new Set([...ids].filter((id) => id !== threadId)));
        setActionError(`The chat could not be deleted: ${messageOf(error)}`);
      });
    });
    if (wasActive) navigate(list()[0]?.id, true);
  };
  const onUndo = (threadId: string) => {
    if (deletes.undo(threadId)) navigate(threadId);
  };

  // The stream is held before the send is posted, so the reply cannot start unseen.
  const send = async (threadId: string, message: { messageId: string; text: string }) => {
    const sent = await stream.beforeSend(threadId);
    try {
      await sendMessage(threadId, message);
      sent(message.messageId);
    } catch (error) {
      sent();
      throw error;
    }
  };

  const onSend = async (text: string, messageId: string) => {
    // Sending where a gone thread is shown starts a new chat, as its notice offers.
    const open = activeGone() ? undefined : activeId();
    const threadId = open ?? (await newThread()).id;
    await send(threadId, { messageId, text });
  };

  // Sending the same message id again: the server keeps one message and starts a new attempt.
  const onRetry = (userMessageId: string) => {
    const threadId = activeId();
    const prompt = messages().find((m) => m.id === userMessageId);
    if (!threadId || !prompt) return;
    setActionError(undefined);
    send(threadId, { messageId: userMessageId, text: prompt.text }).catch((error: unknown) => setActionError(messageOf(error)));
  };

  const onRegenerate = async (userMessageId: string, attempt: number) => {
    const threadId = activeId();
    if (!threadId) return;
    setActionError(undefined);
    const sent = await stream.beforeSend(threadId);
    try {
      await regenerateReply(threadId, userMessageId, attempt);
      sent(userMessageId);
    } catch (error) {
      sent();
      setActionError(messageOf(error));
    }
  };

  const onStop = () => {
    const threadId = activeId();
    const runId = running()?.runId;
    if (threadId && runId) cancelRun(threadId, runId).catch((error: unknown) => setActionError(messageOf(error)));
  };

  createShortcuts({
    escape: () => {
      if (sidebarOpen()) {
        setSidebarOpen(false);
        return void document.querySelector<HTMLElement>(".sidebar-toggle")?.focus();
      }
      if (!running()) return false;
      onStop();
    },
    modK: () => {
      setSidebarOpen(true);
      search?.focus();
      search?.select();
    },
  });

  return (
    <div class="app" data-sidebar={sidebarOpen() ? "open" : "closed"}>
      <ThreadList
        threads={list()}
        activeId={activeId()}
        onSelect={onSelect}
        onNew={() => void onNew()}
        creating={creating() || !ready()}
        onRename={onRename}
        onDelete={onDelete}
        query={query()}
        onQuery={setQuery}
        searchRef={(el) => {
          search = el;
        }}
        hasMore={threads.latest?.next != null}
        loadingMore={loadingMore()}
        onMore={() => void loadMore()}
        now={now()}
      />
      <button type="button" class="scrim" tabIndex={-1} aria-hidden="true" onClick={() => setSidebarOpen(false)} />
      <main class="chat">
        <header class="chat-header">
          <button
            type="button"
            class="sidebar-toggle"
            aria-controls="threads"
            aria-expanded={sidebarOpen()}
            aria-label="Chats"
            onClick={() => {
              const opening = !sidebarOpen();
              setSidebarOpen(opening);
              // Focus goes into the drawer it opens (it comes first in the page, before this button).
              if (opening) requestAnimationFrame(() => document.querySelector<HTMLElement>("nav.threads .new-chat")?.focus());
            }}
          >
            ☰
          </button>
          <h1>{active() ? titleOf(active() as ThreadRecord) : "Murmur"}</h1>
          <Show when={stream.store() && !activeGone()}>
            <ConnectionStatus status={stream.status()} retryAt={stream.retryAt()} asOf={stream.asOf()} onRetry={stream.retryNow} />
          </Show>
        </header>
        <Show when={actionError()}>
          {(message) => (
            <p class="app-error" role="alert">
              {message()}
            </p>
          )}
        </Show>
        <Show when={activeGone()}>
          {(code) => (
            <GoneNotice code={code()} persistent={session()?.persistent ?? null} onNew={() => void onNew()} creating={creating()} />
          )}
        </Show>
        <Show when={!activeGone() && stream.store()} fallback={activeGone() ? null : <p class="placeholder">Start a new chat.</p>}>
          {(store) => (
            <Show when={store().cursor() !== null} fallback={<p class="placeholder">Loading…</p>}>
              <Show when={store().state().messages.length > 0} fallback={<p class="placeholder">Say something.</p>}>
                <MessageList
                  messages={store().state().messages}
                  onRetry={onRetry}
                  onRegenerate={(id, attempt) => void onRegenerate(id, attempt)}
                  onEdit={(text) => composer?.fill(text)}
                  now={now()}
                />
              </Show>
            </Show>
          )}
        </Show>
        <Composer
          onSend={onSend}
          disabled={!ready()}
          onStop={running() ? onStop : undefined}
          draftKey={activeId()}
          onTyping={stream.typing}
          control={(control) => {
            composer = control;
          }}
        />
      </main>
      <UndoToast
        items={deletes.pending().map((id) => ({ id, label: titleOf(threads.latest?.threads.find((t) => t.id === id) ?? { title: null }) }))}
        onUndo={onUndo}
      />
    </div>
  );
}
