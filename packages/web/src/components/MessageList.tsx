import type { ChatMessage } from "@murmur/core/chat";
import { createEffect, createSignal, Index, on, Show } from "solid-js";
import { copyText } from "../clipboard.ts";
import { createReveal } from "../primitives/create-reveal.ts";
import { createStickToBottom } from "../primitives/create-stick-to-bottom.ts";
import { exactTime, relativeTime } from "../relative-time.ts";
import { Markdown } from "./Markdown.tsx";

/** Who wrote a message, in words. */
export function authorLabel(message: Pick<ChatMessage, "role" | "agent">): string {
  if (message.role === "user") return "You";
  return message.agent === "demo" ? "Demo responder" : message.agent || "Assistant";
}

/** What a message offers besides its text. */
interface MessageActions {
  /** A failed reply's Retry: sends the same message id again. */
  onRetry: (userMessageId: string) => void;
  /** A new reply to the last message, as attempt `attempt`. */
  onRegenerate?: (userMessageId: string, attempt: number) => void;
  /** The last message's text back in the composer, to edit and send as a new message. */
  onEdit?: (text: string) => void;
}

function MessageItem(
  props: MessageActions & {
    message: ChatMessage;
    /** The newest reply to its message (only that one can be retried or regenerated). */
    latest: boolean;
    /** Replies to its message, and which one this is (1-based), when there are several. */
    attempt?: { n: number; of: number };
    /** The thread's last user message, or the last reply to it, with no reply streaming. */
    canEdit: boolean;
    canRegenerate: boolean;
    now: number;
  },
) {
  const m = () => props.message;
  // A streaming reply's text is revealed at a steady pace between delta batches; it shows
  // as streaming (caret included) until the reveal has caught up with the whole text.
  const reveal = createReveal(
    () => m().text,
    () => m().status === "streaming",
  );
  const status = () => (reveal.revealing() ? "streaming" : m().status);
  const [copied, setCopied] = createSignal(false);
  const copy = async () => {
    if (!(await copyText(m().text))) return;
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <li class="message" data-role={m().role} data-status={status()} data-message-id={m().id} data-seq={m().lastSeq}>
      <span class="author">
        {authorLabel(m())}
        <Show when={props.attempt}>
          {(a) => (
            <span class="attempt">
              {" "}
              · reply {a().n} of {a().of}
            </span>
          )}
        </Show>
        <span class="sr-only">, </span>
        <time class="message-time" dateTime={new Date(m().createdAt).toISOString()} title={exactTime(m().createdAt)}>
          {relativeTime(m().createdAt, props.now)}
        </time>
      </span>
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
            <Show when={props.latest && error().retryable && m().replyTo}>
              {(replyTo) => (
                <button type="button" class="retry" onClick={() => props.onRetry(replyTo())}>
                  Retry
                </button>
              )}
            </Show>
          </p>
        )}
      </Show>
      <Show when={status() !== "streaming" && m().text !== ""}>
        <fieldset class="message-actions" aria-label="Message actions">
          <button type="button" class="action" onClick={() => void copy()} aria-label={copied() ? "Copied" : "Copy message"}>
            {copied() ? "Copied" : "Copy"}
          </button>
          <Show when={props.canEdit && props.onEdit}>
            {(edit) => (
              <button type="button" class="action" onClick={() => edit()(m().text)} aria-label="Edit message">
                Edit
              </button>
            )}
          </Show>
          <Show when={props.canRegenerate && props.onRegenerate && m().replyTo}>
            {(replyTo) => (
              <button
                type="button"
                class="action"
                onClick={() => props.onRegenerate?.(replyTo(), props.attempt?.of ?? 1)}
                aria-label="Regenerate reply"
              >
                Regenerate
              </button>
            )}
          </Show>
        </fieldset>
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
 * the bottom; once they scroll up it offers "Jump to latest" instead, until they are
 * back at the bottom. Each message can be copied; the last one edited and sent again,
 * and the last reply regenerated.
 */
export function MessageList(props: MessageActions & { messages: readonly ChatMessage[]; now?: number }) {
  const [scroller, setScroller] = createSignal<HTMLDivElement>();
  const [content, setContent] = createSignal<HTMLOListElement>();
  const { atBottom, follow, jump } = createStickToBottom(scroller, content);
  const replies = (m: ChatMessage) => props.messages.filter((x) => x.role === "assistant" && x.replyTo === m.replyTo);
  // Only the newest reply to a message can be retried: an older attempt stays as history.
  const latestReply = (m: ChatMessage) => replies(m).at(-1) === m;
  const attemptOf = (m: ChatMessage) => {
    if (m.role !== "assistant") return undefined;
    const all = replies(m);
    return all.length > 1 ? { n: all.indexOf(m) + 1, of: all.length } : undefined;
  };
  const busy = () => props.messages.some((m) => m.role === "assistant" && m.status === "streaming");
  const lastUser = () => props.messages.findLast((m) => m.role === "user");
  const canEdit = (m: ChatMessage) => !busy() && m === lastUser();
  const canRegenerate = (m: ChatMessage) =>
    !busy() && m.role === "assistant" && m.replyTo === lastUser()?.id && latestReply(m) && m === props.messages.at(-1);
  createEffect(on(() => props.messages, follow));
  return (
    <div class="messages-frame">
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus so the keyboard can scroll it */}
      <div class="messages" ref={setScroller} tabIndex={0} role="log" aria-label="Conversation">
        <ol class="message-list" ref={setContent}>
          <Index each={props.messages}>
            {(message) => (
              <MessageItem
                message={message()}
                latest={latestReply(message())}
                attempt={attemptOf(message())}
                canEdit={canEdit(message())}
                canRegenerate={canRegenerate(message())}
                onRetry={props.onRetry}
                onRegenerate={props.onRegenerate}
                onEdit={props.onEdit}
                now={props.now ?? Date.now()}
              />
            )}
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
