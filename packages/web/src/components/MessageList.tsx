import type { ChatMessage } from "@murmur/core/chat";
import { Index, Show } from "solid-js";

/** Who wrote a message, in words. */
export function authorLabel(message: Pick<ChatMessage, "role" | "agent">): string {
  if (message.role === "user") return "You";
  return message.agent === "demo" ? "Demo responder" : message.agent || "Assistant";
}

function MessageItem(props: { message: ChatMessage }) {
  return (
    <li class="message" data-role={props.message.role} data-status={props.message.status}>
      <span class="author">{authorLabel(props.message)}</span>
      <p class="text">
        {props.message.text}
        <Show when={props.message.status === "streaming"}>
          <span class="caret" aria-hidden="true" />
        </Show>
      </p>
      <Show when={props.message.error}>{(error) => <p class="message-error">Failed: {error().reason}</p>}</Show>
    </li>
  );
}

/**
 * The thread's messages. `<Index>` keeps one row per position (messages are only ever
 * appended), so a delta re-renders the text of one row as it arrives.
 */
export function MessageList(props: { messages: readonly ChatMessage[] }) {
  return (
    // column-reverse keeps the view pinned to the newest message without scrolling code.
    <div class="messages">
      <ol>
        <Index each={props.messages}>{(message) => <MessageItem message={message()} />}</Index>
      </ol>
    </div>
  );
}
