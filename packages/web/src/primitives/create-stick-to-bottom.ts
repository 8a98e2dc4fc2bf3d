import { type Accessor, createEffect, createSignal, onCleanup } from "solid-js";

/** How close to the bottom still counts as "at the bottom", in pixels. */
const SLACK_PX = 48;

/**
 * Auto-scroll for a scrolling list: while the person is at the bottom, new content keeps
 * it there; once they scroll up it stops, and `atBottom()` turns false (show "jump to
 * latest") until they scroll back down or the content no longer reaches past the view.
 * Call `follow()` after content changes, `jump()` to go back down; content that grows or
 * shrinks by itself (a reply revealed frame by frame) is followed when given as `content`.
 */
export function createStickToBottom(
  element: Accessor<HTMLElement | undefined>,
  content?: Accessor<HTMLElement | undefined>,
): {
  atBottom: Accessor<boolean>;
  follow: () => void;
  jump: () => void;
} {
  const [atBottom, setAtBottom] = createSignal(true);
  let stuck = true;
  const onScroll = () => {
    const el = element();
    if (!el) return;
    stuck = el.scrollHeight - el.scrollTop - el.clientHeight <= SLACK_PX;
    setAtBottom(stuck);
  };
  const jump = () => {
    const el = element();
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    stuck = true;
    setAtBottom(true);
  };
  // Not stuck: the content or the view changed size (a reply ended shorter, the window
  // grew), so whether it is at the bottom now is measured again: "Jump to latest" goes
  // once it no longer applies.
  const follow = () => {
    if (stuck) jump();
    else onScroll();
  };
  // Listening on the document (capture) needs no element at set-up time.
  const listener = (event: Event) => event.target === element() && onScroll();
  document.addEventListener("scroll", listener, true);
  onCleanup(() => document.removeEventListener("scroll", listener, true));
  createEffect(() => {
    const el = content?.();
    const view = element();
    if (!el || typeof ResizeObserver !== "function") return;
    const observer = new ResizeObserver(follow);
    observer.observe(el);
    if (view) observer.observe(view);
    onCleanup(() => observer.disconnect());
  });
  return { atBottom, follow, jump };
}
