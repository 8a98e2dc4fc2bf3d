import { createRenderEffect } from "solid-js";
import { renderMarkdown } from "../markdown/render-markdown.ts";

/**
 * Assistant text as Markdown, built as DOM nodes by a renderer that never parses HTML,
 * so nothing a message holds can run script. While `streaming`, a caret follows the
 * last character.
 */
export function Markdown(props: { text: string; streaming?: boolean }) {
  const root = (<div class="markdown" />) as HTMLDivElement;
  createRenderEffect(() => {
    root.replaceChildren(renderMarkdown(props.text));
    if (!props.streaming) return;
    const caret = document.createElement("span");
    caret.className = "caret";
    caret.setAttribute("aria-hidden", "true");
    lastTextBlock(root).appendChild(caret);
  });
  return root;
}

/** Where the next character will appear: the last paragraph, list item or code block. */
function lastTextBlock(root: Element): Element {
  let node: Element = root;
  while (node.lastElementChild && /^(P|UL|OL|LI|PRE|CODE|BLOCKQUOTE|H\d)$/.test(node.lastElementChild.tagName)) {
    node = node.lastElementChild;
  }
  return node;
}
