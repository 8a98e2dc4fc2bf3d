import type { Root, RootContent } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";
import { blockToDom, collectDefinitions, type DomContext } from "./mdast-dom.ts";

// The lazy Markdown chunk: a maintained CommonMark + GFM parser (micromark, through its
// mdast tree) and the DOM builder. The first paint never waits for it (see load-markdown.ts).

/** Parses CommonMark with GFM (tables, task lists, strikethrough, autolinks, footnotes). */
export function parseMarkdown(text: string): Root {
  return fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
}

/** A Markdown text shown in `root`, kept in step with the text as it grows. */
export interface BlockView {
  /** Shows `text`; while `streaming`, a caret follows its last character. */
  update(text: string, streaming: boolean): void;
}

interface Block {
  readonly key: string;
  readonly node: Node;
}

type Highlight = NonNullable<DomContext["highlight"]>;
let highlight: Highlight | undefined;
let highlighting: Promise<Highlight> | undefined;
const loadHighlight = () => {
  highlighting ??= import("./highlight.ts").then((m) => {
    highlight = m.highlightInto;
    return m.highlightInto;
  });
  return highlighting;
};

/**
 * Renders Markdown into `root` block by block. Each top-level block is keyed by its
 * source text (and what else its rendering depends on: link definitions, the
 * highlighter); a block whose key is unchanged keeps its DOM untouched. So while a reply
 * streams, the finished blocks are rendered once and only the block being written
 * re-renders: nothing above it flickers or re-lays out. Code blocks are highlighted once
 * the highlighter's own chunk has loaded (fetched the first time one appears).
 */
export function makeBlockView(root: HTMLElement): BlockView {
  const doc = root.ownerDocument;
  let blocks: Block[] = [];
  let last: { text: string; streaming: boolean } | null = null;
  const caret = doc.createElement("span");
  caret.className = "caret";
  caret.setAttribute("aria-hidden", "true");

  const render = (text: string, streaming: boolean) => {
    const tree = parseMarkdown(text);
    const hasReferences = /\]:/.test(text);
    const definitions = hasReferences ? collectDefinitions(tree) : new Map();
    // What a block's rendering depends on beyond its own text: the link definitions and
    // footnotes anywhere in the message (one arriving later turns a reference into a link).
    const footnotes = hasReferences ? tree.children.flatMap((n) => (n.type === "footnoteDefinition" ? [n.identifier] : [])) : [];
    const definitionsKey = hasReferences ? [...[...definitions.entries()].map(([k, d]) => `${k}=${d.url}`), ...footnotes].join("\n") : "";
    const ctx: DomContext = { doc, definitions, highlight };
    if (!highlight && hasCodeWithLanguage(tree.children)) void loadHighlight().then(() => last && render(last.text, last.streaming));
    caret.remove();
    const next = tree.children.map((node, i): Block => {
      const source = text.slice(node.position?.start.offset ?? 0, node.position?.end.offset ?? text.length);
      const key = `${node.type}\u0000${node.type === "code" && highlight ? "h" : ""}\u0000${definitionsKey}\u0000${source}`;
      const kept = blocks[i];
      return kept?.key === key ? kept : { key, node: blockToDom(node, ctx) };
    });
    next.forEach((block, i) => {
      const current = root.childNodes[i];
      if (current !== block.node) root.insertBefore(block.node, current ?? null);
    });
    while (root.childNodes.length > next.length) root.lastChild?.remove();
    blocks = next;
    if (streaming) lastTextBlock(root).appendChild(caret);
  };

  return {
    update(text, streaming) {
      if (last?.text === text && last.streaming === streaming) return;
      last = { text, streaming };
      render(text, streaming);
    },
  };
}

function hasCodeWithLanguage(nodes: readonly RootContent[]): boolean {
  return nodes.some(
    (node) => (node.type === "code" && !!node.lang) || ("children" in node && hasCodeWithLanguage(node.children as RootContent[])),
  );
}

const BLOCKS = /^(P|UL|OL|LI|PRE|CODE|BLOCKQUOTE|H\d|DIV|TABLE|THEAD|TBODY|TR|TH|TD)$/;

/** Where the next character will appear: the innermost last block (paragraph, list item, code, cell). */
function lastTextBlock(root: Element): Element {
  let node: Element = root;
  while (node.lastElementChild && BLOCKS.test(node.lastElementChild.tagName)) node = node.lastElementChild;
  return node;
}
