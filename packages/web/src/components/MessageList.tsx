import type { ChatMessage } from "@murmur/core/chat";
import { createEffect, createSignal, Index, on, Show } from "solid-js";
import { createReveal } from "../primitives/create-reveal.ts";
import { createStickToBottom } from "../primitives/create-stick-to-bottom.ts";
import { Markdown } from "./Markdown.tsx";

/** Who wrote a message, in words. */
export function authorLabel(message: Pick<ChatMessage, "role" | "agent">): string {
  if (message.role === "user") return "You";
  return message.agent === "demo" ? "Demo responder" : message.agent || "Assistant";
}

function MessageItem(props: { message: ChatMessage; canRetry: boolean; onRetry: (userMessageId: string) => void }) {
  const m = () => props.message;
  // A streaming reply's text is revealed at a steady pace between delta batches; it shows
  // as streaming (caret included) until the reveal has caught up with the whole text.
  const reveal = createReveal(
    () => m().text,
    () => m().status === "streaming",
  );
  const status = () => (reveal.revealing() ? "streaming" : m().status);
  return (
    <li class="message" data-role={m().role} data-status={status()} data-message-id={m().id} data-seq={m().lastSeq}>
      <span class="author">{authorLabel(m())}</span>
      <Show when={m().role === "assistant"} fallback={<p class="text">{m().text}</p>}>
        <Show when={status() !== "streaming" || reveal.text() !== ""} fallback={<p class="thinking">Thinking…</p>}>
          <Markdown text={reveal.text()} streaming={status() === "streaming"} />
        </Show>
      </Show>
      <Show when={m().stopping && m().status === "streaming"}>
        <p class="message-note">Stopping…</p>
      </Show>
      <Show when={status() !== "streaming" && m().error}>
        {(error) => (
          <p class="message-error">
            {error().kind === "stopped" ? "Stopped." : `Failed: ${error().reason}`}
            <Show when={props.canRetry && error().retryable && m().replyTo}>
              {(replyTo) => (
                <button type="button" class="retry" onClick={() => props.onRetry(replyTo())}>
                  Retry
                </button>
              )}
            </Show>
          </p>
        )}
      </Show>
    </li>
  );
}

/** What the live region announces: the newest reply once it has ended. */
function announcement(messages: readonly ChatMessage[]): string {
  const last = messages.at(-1);
  if (last?.role !== "assistant" || last.status === "streaming") return "";
  if (last.status === "failed") return `${authorLabel(last)}: the reply ${last.error?.kind === "stopped" ? "was stopped" : "failed"}`;
  return `${authorLabel(last)} replied: ${last.text.slice(0, 500)}`;
}

/**
 * The thread's messages. `<Index>` keeps one row per position (messages are only ever
 * appended), so a delta re-renders one row. Follows new text while the person is at
 * the bottom; once they scroll up it offers "Jump to latest" instead.
 */
export function MessageList(props: { messages: readonly ChatMessage[]; onRetry: (userMessageId: string) => void }) {
  const [scroller, setScroller] = createSignal<HTMLDivElement>();
  const [content, setContent] = createSignal<HTMLOListElement>();
  const { atBottom, follow, jump } = createStickToBottom(scroller, content);
  // Only the newest reply to a message can be retried: an older failed attempt stays as history.
  const latestReply = (m: ChatMessage) => props.messages.findLast((x) => x.role === "assistant" && x.replyTo === m.replyTo) === m;
  createEffect(on(() => props.messages, follow));
  return (
    <div class="messages-frame">
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus so the keyboard can scroll it */}
      <div class="messages" ref={setScroller} tabIndex={0} role="log" aria-label="Conversation">
        <ol ref={setContent}>
          <Index each={props.messages}>
            {(message) => <MessageItem message={message()} canRetry={latestReply(message())} onRetry={props.onRetry} />}
          </Index>
        </ol>
      </div>
      <Show when={!atBottom()}>
        <button type="button" class="jump" onClick={jump}>
          Jump to latest ↓
        </button>
      </Show>
      <div class="sr-only" aria-live="polite">
        {announcement(props.messages)}
      </div>
    </div>
  );
}
