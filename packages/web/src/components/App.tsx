import { createResource, createSignal, ErrorBoundary, Show } from "solid-js";
import { createThread, listThreads, sendMessage, startSession, type ThreadRecord } from "../api.ts";
import { createThreadStream } from "../primitives/create-thread-stream.ts";
import { Composer } from "./Composer.tsx";
import { ConnectionStatus } from "./ConnectionStatus.tsx";
import { MessageList } from "./MessageList.tsx";
import { ThreadList } from "./ThreadList.tsx";

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

function Chat() {
  // Reading a failed resource throws, so a failed session or first list shows the fallback above.
  const [session] = createResource(startSession);
  const ready = () => session()?.sessionId !== undefined;
  // A failed refresh keeps the list already shown; only the first load can fail the page.
  const [threads, { mutate, refetch }] = createResource(
    () => session()?.sessionId,
    (_sessionId, { value }: { value: ThreadRecord[] | undefined }) =>
      listThreads().catch((error: unknown) => (value ? value : Promise.reject(error))),
  );
  const [selected, setSelected] = createSignal<string>();
  const [creating, setCreating] = createSignal(false);
  const [actionError, setActionError] = createSignal<string>();

  const activeId = () => selected() ?? threads.latest?.[0]?.id;
  const active = () => threads.latest?.find((t) => t.id === activeId());
  const stream = createThreadStream(activeId);

  const newThread = async (): Promise<ThreadRecord> => {
    const thread = await createThread();
    mutate((list) => [thread, ...(list ?? [])]);
    setSelected(thread.id);
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

  const onSend = async (text: string, messageId: string) => {
    const threadId = activeId() ?? (await newThread()).id;
    await sendMessage(threadId, { messageId, text });
    void refetch(); // the first message names the thread and every send reorders the list
  };

  return (
    <div class="app">
      <ThreadList
        threads={threads.latest ?? []}
        activeId={activeId()}
        onSelect={setSelected}
        onNew={() => void onNew()}
        creating={creating() || !ready()}
      />
      <main class="chat">
        <header class="chat-header">
          <h1>{active()?.title ?? "Murmur"}</h1>
          <Show when={stream.store()}>
            <ConnectionStatus status={stream.status()} />
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
                <MessageList messages={store().state().messages} />
              </Show>
            </Show>
          )}
        </Show>
        <Composer onSend={onSend} disabled={!ready()} />
      </main>
    </div>
  );
}
