import { type Accessor, createEffect, createSignal, onCleanup } from "solid-js";

/** How close to the bottom still counts as "at the bottom", in pixels. */
const SLACK_PX = 48;

/**
 * Auto-scroll for a scrolling list: while the person is at the bottom, new content keeps
 * it there; once they scroll up it stops, and `atBottom()` turns false (show "jump to
 * latest"). Call `follow()` after content changes, `jump()` to go back down; content that
 * grows by itself (a reply revealed frame by frame) is followed when given as `content`.
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
  const follow = () => {
    if (stuck) jump();
  };
  // Listening on the document (capture) needs no element at set-up time.
  const listener = (event: Event) => event.target === element() && onScroll();
  document.addEventListener("scroll", listener, true);
  onCleanup(() => document.removeEventListener("scroll", listener, true));
  createEffect(() => {
    const el = content?.();
    if (!el || typeof ResizeObserver !== "function") return;
    const observer = new ResizeObserver(follow);
    observer.observe(el);
    onCleanup(() => observer.disconnect());
  });
  return { atBottom, follow, jump };
}
