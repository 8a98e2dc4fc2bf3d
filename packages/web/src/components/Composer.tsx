import { MAX_MESSAGE_BYTES, newId } from "@murmur/core/chat";
import { createComputed, createSignal, onMount, Show, untrack } from "solid-js";

const encoder = new TextEncoder();

/** What the page can do with the composer: focus it (New chat), or put a text in it to edit and send again. */
export interface ComposerControl {
  focus(): void;
  fill(text: string): void;
}

/** The tallest the box grows to before it scrolls, as a share of the window's height. */
const MAX_HEIGHT_SHARE = 0.4;

/** Grows a textarea with its text, up to {@link MAX_HEIGHT_SHARE} of the window, then it scrolls. */
function fitHeight(box: HTMLTextAreaElement): void {
  box.style.height = "auto";
  const max = Math.round(window.innerHeight * MAX_HEIGHT_SHARE);
  const wanted = box.scrollHeight + (box.offsetHeight - box.clientHeight);
  box.style.height = `${Math.min(wanted, max)}px`;
  box.style.overflowY = wanted > max ? "auto" : "hidden";
}

/**
 * The message box. Enter sends, Shift+Enter starts a new line. While a reply streams the
 * box stays editable but nothing is sent: the button is Stop, and one run at a time
 * answers the thread. The message id is made
 * per draft and kept while the text is unchanged, so sending again after a failure
 * cannot post the message twice; editing the text makes a new id.
 */
export function Composer(props: {
  onSend: (text: string, messageId: string) => Promise<unknown>;
  disabled?: boolean;
  /** While a reply streams: shows a Stop button that calls this. */
  onStop?: () => void;
  /** Whose draft this is (the thread id); undefined before there is a thread. */
  draftKey?: string;
  /** Each edit of the text: the person is typing. */
  onTyping?: () => void;
  /** Hands the page what it can do with the composer. */
  control?: (control: ComposerControl) => void;
}) {
  let box!: HTMLTextAreaElement;
  const [text, setText] = createSignal("");
  const [sending, setSending] = createSignal(false);
  const [error, setError] = createSignal<string>();
  let messageId = newId("m");
  const drafts = new Map<string | undefined, { text: string; messageId: string }>();
  /** Puts the draft kept for `key` in the box, or an empty one. */
  const restore = (key: string | undefined) => {
    const draft = drafts.get(key);
    drafts.delete(key);
    setText(draft?.text ?? "");
    messageId = draft?.messageId ?? newId("m");
  };
  let shown = untrack(() => props.draftKey);
  // Computed, not an effect: the box shows the thread's draft in the same update.
  createComputed(() => {
    const key = props.draftKey;
    if (key === shown) return;
    untrack(() => {
      if (text() !== "") drafts.set(shown, { text: text(), messageId });
      shown = key;
      setError(undefined);
      restore(key);
    });
  });

  // The box's height follows its text, whoever changed it (typing, a restored draft, a send).
  createComputed(() => {
    text();
    if (box) queueMicrotask(() => fitHeight(box));
  });
  onMount(() => {
    fitHeight(box);
    props.control?.({
      focus: () => box.focus(),
      fill: (value) => {
        setText(value);
        messageId = newId("m");
        box.focus();
        box.setSelectionRange(value.length, value.length);
      },
    });
  });

  const tooLong = () => encoder.encode(text()).length > MAX_MESSAGE_BYTES;
  const canSend = () => text().trim() !== "" && !tooLong() && !sending() && !props.disabled && !props.onStop;

  const send = async () => {
    if (!canSend()) return;
    const key = shown;
    setSending(true);
    setError(undefined);
    try {
      await props.onSend(text(), messageId);
      // Sending may have made the thread (and moved on from the draft): the sent draft goes either way.
      if (shown === key) {
        setText("");
        messageId = newId("m");
      } else drafts.delete(key);
    } catch (cause) {
      if (shown !== key) restore(key); // sending made the thread and moved there: the failed text follows
      setError(cause instanceof Error ? cause.message : String(cause));
    } finally {
      setSending(false);
    }
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <textarea
        ref={box}
        aria-label="Message"
        aria-keyshortcuts="Enter"
        placeholder="Write a message"
        rows={1}
        value={text()}
        onInput={(event) => {
          setText(event.currentTarget.value);
          messageId = newId("m");
          props.onTyping?.();
        }}
        onKeyDown={(event) => {
          if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
          event.preventDefault();
          void send();
        }}
      />
      <Show
        when={props.onStop}
        fallback={
          <button type="submit" disabled={!canSend()}>
            {sending() ? "Sending…" : "Send"}
          </button>
        }
      >
        {(stop) => (
          <button type="button" class="stop" onClick={() => stop()()}>
            Stop
          </button>
        )}
      </Show>
      <Show when={tooLong()}>
        <p class="composer-error">This message is too long (at most {MAX_MESSAGE_BYTES / 1024} KB).</p>
      </Show>
      <Show when={error()}>
        {(message) => (
          <p class="composer-error" role="alert">
            {message()}
          </p>
        )}
      </Show>
    </form>
  );
}
