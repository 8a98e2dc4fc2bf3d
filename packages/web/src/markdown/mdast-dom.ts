import type { Definition, List, ListItem, Nodes, Parents, PhrasingContent, Table } from "mdast";
import { safeUrl } from "./safe-url.ts";

/** What rendering a node needs besides the node: the document, link definitions, and the highlighter once it is loaded. */
export interface DomContext {
  readonly doc: Document;
  /** Link reference definitions by normalized label. */
  readonly definitions: ReadonlyMap<string, Definition>;
  /** Fills `code` with `text` highlighted as `lang`; absent until the highlighter is loaded. */
  readonly highlight?: (code: HTMLElement, text: string, lang: string) => void;
}

/**
 * One mdast node as DOM, built with `createElement` and text nodes only: nothing a
 * message holds is ever parsed as HTML. Raw HTML in Markdown shows as its text, links
 * are made only to http(s) and mailto addresses, images become links (no request leaves
 * the page for a message's content).
 */
export function nodeToDom(node: Nodes, ctx: DomContext): Node {
  const { doc } = ctx;
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, children?: readonly Nodes[]): HTMLElementTagNameMap[K] =>
    appendAll(doc.createElement(tag), children ?? [], ctx);
  switch (node.type) {
    case "root":
      return appendFlow(doc.createDocumentFragment(), node.children, ctx);
    case "paragraph":
      return el("p", node.children);
    case "heading":
      // Headings inside a chat bubble stay small: h3-h6 only.
      return el(`h${Math.min(6, node.depth + 2)}` as "h3", node.children);
    case "thematicBreak":
      return el("hr");
    case "blockquote":
      return appendFlow(doc.createElement("blockquote"), node.children, ctx);
    case "list":
      return list(node, ctx);
    case "listItem":
      return listItem(node, false, ctx);
    case "code":
      return codeBlock(node.value, node.lang ?? "", ctx);
    case "table":
      return table(node, ctx);
    case "html":
    case "text":
      return doc.createTextNode(node.value);
    case "emphasis":
      return el("em", node.children);
    case "strong":
      return el("strong", node.children);
    case "delete":
      return el("del", node.children);
    case "inlineCode": {
      const code = el("code");
      code.textContent = node.value;
      return code;
    }
    case "break":
      return el("br");
    case "link":
      return link(node.url, node.children, ctx);
    case "linkReference": {
      const definition = ctx.definitions.get(normalize(node.identifier));
      return definition ? link(definition.url, node.children, ctx) : appendAll(doc.createDocumentFragment(), node.children, ctx);
    }
    case "image":
      return imageLink(node.url, node.alt ?? "", ctx);
    case "imageReference": {
      const definition = ctx.definitions.get(normalize(node.identifier));
      return definition ? imageLink(definition.url, node.alt ?? "", ctx) : doc.createTextNode(node.alt ?? "");
    }
    case "footnoteReference": {
      const sup = el("sup");
      sup.textContent = `[${node.label ?? node.identifier}]`;
      return sup;
    }
    case "footnoteDefinition": {
      const div = appendFlow(doc.createElement("div"), node.children, ctx);
      div.className = "footnote";
      const label = doc.createElement("sup");
      label.textContent = `[${node.label ?? node.identifier}]`;
      div.prepend(label);
      return div;
    }
    case "definition":
      return doc.createComment("definition");
    default:
      // Anything else (a table row outside its table, front matter) shows its text, never markup.
      return doc.createTextNode("value" in node && typeof node.value === "string" ? node.value : "");
  }
}

function appendAll<P extends Node>(parent: P, children: readonly Nodes[], ctx: DomContext): P {
  for (const child of children) parent.appendChild(nodeToDom(child, ctx));
  return parent;
}

/** Block content: raw HTML there shows as a paragraph of its text. */
function appendFlow<P extends Node>(parent: P, children: readonly Nodes[], ctx: DomContext): P {
  for (const child of children) parent.appendChild(blockToDom(child, ctx));
  return parent;
}

/** A block (a child of the root, a quote or a list item) as DOM; see {@link nodeToDom}. */
export function blockToDom(node: Nodes, ctx: DomContext): Node {
  if (node.type !== "html") return nodeToDom(node, ctx);
  const p = ctx.doc.createElement("p");
  p.textContent = node.value;
  return p;
}

function list(node: List, ctx: DomContext): HTMLElement {
  const element = ctx.doc.createElement(node.ordered ? "ol" : "ul");
  if (node.ordered && typeof node.start === "number" && node.start !== 1) element.setAttribute("start", String(node.start));
  if (node.children.some((item) => typeof item.checked === "boolean")) element.className = "task-list";
  // A tight list's items hold their text directly, a loose one's in paragraphs (as CommonMark renders them).
  const loose = node.spread === true || node.children.some((item) => item.spread === true);
  for (const item of node.children) element.appendChild(listItem(item, loose, ctx));
  return element;
}

function listItem(node: ListItem, loose: boolean, ctx: DomContext): HTMLElement {
  const li = ctx.doc.createElement("li");
  if (typeof node.checked === "boolean") {
    const box = ctx.doc.createElement("input");
    box.type = "checkbox";
    box.disabled = true;
    if (node.checked) box.setAttribute("checked", "");
    box.setAttribute("aria-label", node.checked ? "done" : "not done");
    li.appendChild(box);
  }
  for (const child of node.children) {
    if (child.type === "paragraph" && !loose) appendAll(li, child.children, ctx);
    else li.appendChild(blockToDom(child, ctx));
  }
  return li;
}

/** A fenced or indented code block: its language named, a Copy button, the code highlighted once the highlighter is there. */
function codeBlock(text: string, lang: string, ctx: DomContext): HTMLElement {
  const { doc } = ctx;
  const block = doc.createElement("div");
  block.className = "code-block";
  const head = block.appendChild(doc.createElement("div"));
  head.className = "code-head";
  const name = head.appendChild(doc.createElement("span"));
  name.className = "code-lang";
  // Labels are drawn by CSS from attributes, so a message's text content stays its text.
  name.dataset.lang = lang || "text";
  const copy = head.appendChild(doc.createElement("button"));
  copy.type = "button";
  copy.className = "copy-code";
  copy.setAttribute("aria-label", "Copy code");
  const pre = block.appendChild(doc.createElement("pre"));
  // A code block that scrolls sideways takes focus, so the keyboard can scroll it.
  pre.tabIndex = 0;
  const code = pre.appendChild(doc.createElement("code"));
  if (lang) code.className = `language-${lang}`;
  if (lang && ctx.highlight) ctx.highlight(code, text, lang);
  else code.textContent = text;
  return block;
}

function table(node: Table, ctx: DomContext): HTMLElement {
  const { doc } = ctx;
  const wrap = doc.createElement("div");
  wrap.className = "table-wrap";
  const tableEl = wrap.appendChild(doc.createElement("table"));
  node.children.forEach((row, r) => {
    const section =
      r === 0 ? tableEl.appendChild(doc.createElement("thead")) : (tableEl.tBodies[0] ?? tableEl.appendChild(doc.createElement("tbody")));
    const tr = section.appendChild(doc.createElement("tr"));
    row.children.forEach((cell, c) => {
      const td = tr.appendChild(doc.createElement(r === 0 ? "th" : "td"));
      const align = node.align?.[c];
      if (align) td.style.textAlign = align;
      appendAll(td, cell.children, ctx);
    });
  });
  return wrap;
}

function link(url: string, children: readonly PhrasingContent[], ctx: DomContext): Node {
  if (!safeUrl(url)) return appendAll(ctx.doc.createElement("span"), children, ctx);
  const a = ctx.doc.createElement("a");
  a.href = url;
  a.target = "_blank";
  a.rel = "noopener noreferrer nofollow";
  return appendAll(a, children, ctx);
}

function imageLink(url: string, alt: string, ctx: DomContext): Node {
  const label = `🖼 ${alt || "image"}`;
  if (!safeUrl(url)) return ctx.doc.createTextNode(label);
  const a = ctx.doc.createElement("a");
  a.href = url;
  a.target = "_blank";
  a.rel = "noopener noreferrer nofollow";
  a.textContent = label;
  return a;
}

/** How CommonMark matches reference labels: whitespace collapsed, case folded. */
export function normalize(label: string): string {
  return label
    .replace(/[\t\n\r ]+/g, " ")
    .trim()
    .toLowerCase()
    .toUpperCase();
}

/** Every link definition in the tree, by normalized label (the first wins). */
export function collectDefinitions(node: Parents, into = new Map<string, Definition>()): Map<string, Definition> {
  for (const child of node.children) {
    if (child.type === "definition") {
      if (!into.has(normalize(child.identifier))) into.set(normalize(child.identifier), child);
    } else if ("children" in child) collectDefinitions(child, into);
  }
  return into;
}
