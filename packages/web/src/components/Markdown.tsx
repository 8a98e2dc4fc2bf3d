import { createRenderEffect, createResource, onCleanup } from "solid-js";
import { copyText } from "../clipboard.ts";
import { loadedMarkdown, loadMarkdown } from "../markdown/load-markdown.ts";

/**
 * Assistant text as Markdown (CommonMark + GFM), built as DOM nodes by a renderer that
 * never parses HTML, so nothing a message holds can run script. The renderer is its own
 * chunk: until it has loaded (a first visit's first moments), the text shows as plain
 * paragraphs. While `streaming`, a caret follows the last character, and only the block
 * being written re-renders.
 */
export function Markdown(props: { text: string; streaming?: boolean }) {
  const root = (<div class="markdown" />) as HTMLDivElement;
  const [renderer] = createResource(loadMarkdown, { initialValue: loadedMarkdown() });
  let view: { update(text: string, streaming: boolean): void } | undefined;
  createRenderEffect(() => {
    const module = renderer.latest;
    const text = props.text;
    const streaming = props.streaming === true;
    if (!module) return renderPlain(root, text, streaming);
    if (!view) {
      root.replaceChildren();
      view = module.makeBlockView(root);
    }
    view.update(text, streaming);
  });
  // Copy buttons of code blocks: one listener for the whole message.
  const onClick = (event: MouseEvent) => {
    const button = (event.target as Element).closest?.("button.copy-code");
    const code = button?.closest(".code-block")?.querySelector("code")?.textContent;
    if (!button || code == null) return;
    void copyText(code).then((ok) => {
      button.setAttribute("data-copied", ok ? "yes" : "failed");
      setTimeout(() => button.removeAttribute("data-copied"), 2000);
    });
  };
  root.addEventListener("click", onClick);
  onCleanup(() => root.removeEventListener("click", onClick));
  return root;
}

/** The text as paragraphs, whitespace kept: what shows until the renderer has loaded. */
function renderPlain(root: HTMLElement, text: string, streaming: boolean): void {
  const paragraphs = text.split(/\n{2,}/).map((part) => {
    const p = document.createElement("p");
    p.className = "plain";
    p.textContent = part;
    return p;
  });
  if (streaming) {
    const caret = document.createElement("span");
    caret.className = "caret";
    caret.setAttribute("aria-hidden", "true");
    (paragraphs.at(-1) ?? root).appendChild(caret);
  }
  root.replaceChildren(...paragraphs);
}
