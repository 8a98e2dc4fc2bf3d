import type { ChatMessage } from "@murmur/core/chat";
import { createEffect, createResource, createSignal, ErrorBoundary, on, onCleanup, Show } from "solid-js";
import {
  cancelRun,
  createThread,
  listThreads,
  markRead,
  sendMessage,
  startSession,
  type ThreadRecord,
  type ThreadList as Threads,
} from "../api.ts";
import { config } from "../config.ts";
import { createHiddenFor } from "../primitives/create-hidden-for.ts";
import { createLiveThread } from "../primitives/create-live-thread.ts";
import { createThreadRoute } from "../primitives/create-thread-route.ts";
import { applyListFrame, upsertThread } from "../store/thread-list.ts";
import { Composer } from "./Composer.tsx";
import { ConnectionStatus } from "./ConnectionStatus.tsx";
import { MessageList } from "./MessageList.tsx";
import { isUnread, ThreadList } from "./ThreadList.tsx";

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

function Chat() {
  // Reading a failed resource throws, so a failed session or first list shows the fallback above.
  const [session] = createResource(startSession);
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

  const list = () => threads.latest?.threads ?? [];
  const activeId = () => routed() ?? list()[0]?.id;
  const active = () => list().find((t) => t.id === activeId());
  const hidden = createHiddenFor(config.hiddenCloseMs);
  // The thread's stream, held as the session's policy says and shared by this browser's
  // tabs, also carries the thread list and its changes, so unread badges, titles and
  // order stay live over a connection the browser holds anyway.
  const stream = createLiveThread(activeId, {
    settings: () => session()?.stream,
    hidden,
    position: () => threads.latest?.position ?? null,
    onList: (frame) => mutate((current) => applyListFrame(current, frame)),
  });
  const messages = (): readonly ChatMessage[] => stream.store()?.state().messages ?? [];
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

  const newThread = async (): Promise<ThreadRecord> => {
    const thread = await createThread();
    mutate((current) => ({ threads: upsertThread(current?.threads ?? [], thread), position: current?.position ?? null }));
    navigate(thread.id);
    return thread;
  };

  const onNew = async () => {
    setCreating(true);
    setActionError(undefined);
    try {
      await newThread();
    } catch (error) {
      setActionError(error instanceof Error ? error.message : String(error));
    } finally {
      setCreating(false);
    }
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
    const threadId = activeId() ?? (await newThread()).id;
    await send(threadId, { messageId, text });
  };

  // Sending the same message id again: the server keeps one message and starts a new attempt.
  const onRetry = (userMessageId: string) => {
    const threadId = activeId();
    const prompt = messages().find((m) => m.id === userMessageId);
    if (!threadId || !prompt) return;
    setActionError(undefined);
    send(threadId, { messageId: userMessageId, text: prompt.text }).catch((error: unknown) =>
      setActionError(error instanceof Error ? error.message : String(error)),
    );
  };

  const onStop = () => {
    const threadId = activeId();
    const runId = running()?.runId;
    if (threadId && runId)
      cancelRun(threadId, runId).catch((error: unknown) => setActionError(error instanceof Error ? error.message : String(error)));
  };

  return (
    <div class="app">
      <ThreadList
        threads={list()}
        activeId={activeId()}
        onSelect={(id) => navigate(id)}
        onNew={() => void onNew()}
        creating={creating() || !ready()}
      />
      <main class="chat">
        <header class="chat-header">
          <h1>{active()?.title ?? "Murmur"}</h1>
          <Show when={stream.store()}>
            <ConnectionStatus status={stream.status()} retryAt={stream.retryAt()} asOf={stream.asOf()} />
          </Show>
        </header>
        <Show when={actionError()}>
          {(message) => (
            <p class="app-error" role="alert">
              {message()}
            </p>
          )}
        </Show>
        <Show when={stream.store()} fallback={<p class="placeholder">Start a new chat.</p>}>
          {(store) => (
            <Show when={store().cursor() !== null} fallback={<p class="placeholder">Loading…</p>}>
              <Show when={store().state().messages.length > 0} fallback={<p class="placeholder">Say something.</p>}>
                <MessageList messages={store().state().messages} onRetry={onRetry} />
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
        />
      </main>
    </div>
  );
}
