/**
 * A small Markdown renderer that is safe by construction: it builds DOM nodes with
 * `createElement` and `createTextNode` only (never `innerHTML`), so no text a message
 * holds is ever parsed as HTML, and links keep only http(s) and mailto addresses.
 *
 * Supported: paragraphs, line breaks, `#` headings, `-`/`*`/`1.` lists, `>` quotes,
 * fenced code blocks (an unclosed fence, as while a reply streams, runs to the end),
 * inline code, **bold**, *italic*, and [links](https://example.com).
 */
export function renderMarkdown(text: string, doc: Document = document): DocumentFragment {
  const out = doc.createDocumentFragment();
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, parent: Node): HTMLElementTagNameMap[K] =>
    parent.appendChild(doc.createElement(tag));

  while (i < lines.length) {
    const line = lines[i] as string;
    const fence = /^\s*(```+|~~~+)\s*([\w+-]*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      for (i++; i < lines.length && !(lines[i] as string).trim().startsWith(fence[1] as string); i++) body.push(lines[i] as string);
      i++;
      const pre = el("pre", out);
      const code = el("code", pre);
      if (fence[2]) code.dataset.lang = fence[2];
      code.textContent = body.join("\n");
      continue;
    }
    if (line.trim() === "") {
      i++;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      // Headings inside a chat bubble stay small: h3-h6 only.
      const level = Math.min(6, (heading[1] as string).length + 2) as 3 | 4 | 5 | 6;
      renderInline(heading[2] as string, el(`h${level}`, out), doc);
      i++;
      continue;
    }
    const listItem = /^\s*([-*+]|\d{1,9}[.)])\s+(.*)$/;
    const first = listItem.exec(line);
    if (first) {
      const list = el(/\d/.test(first[1] as string) ? "ol" : "ul", out);
      for (let m = listItem.exec(lines[i] as string); m && i < lines.length; m = listItem.exec(lines[++i] ?? "")) {
        renderInline(m[2] as string, el("li", list), doc);
      }
      continue;
    }
    if (line.startsWith(">")) {
      const quote: string[] = [];
      for (; i < lines.length && (lines[i] as string).startsWith(">"); i++) quote.push((lines[i] as string).replace(/^>\s?/, ""));
      el("blockquote", out).appendChild(renderMarkdown(quote.join("\n"), doc));
      continue;
    }
    const paragraph: string[] = [];
    for (; i < lines.length && !startsBlock(lines[i] as string); i++) paragraph.push(lines[i] as string);
    const p = el("p", out);
    paragraph.forEach((part, index) => {
      if (index > 0) p.appendChild(doc.createElement("br"));
      renderInline(part, p, doc);
    });
  }
  return out;
}

function startsBlock(line: string): boolean {
  return line.trim() === "" || /^(\s*(```|~~~)|#{1,6}\s|\s*([-*+]|\d{1,9}[.)])\s|>)/.test(line);
}

const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_|\[([^\]]+)\]\(([^)\s]+)\)/g;

/** Appends `text` with inline formatting to `parent`. */
function renderInline(text: string, parent: Node, doc: Document): void {
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const index = match.index ?? 0;
    if (index > last) parent.appendChild(doc.createTextNode(text.slice(last, index)));
    last = index + match[0].length;
    const [, code, strong, strong2, em, em2, label, href] = match;
    if (code !== undefined) parent.appendChild(doc.createElement("code")).textContent = code;
    else if (strong !== undefined || strong2 !== undefined)
      renderInline((strong ?? strong2) as string, parent.appendChild(doc.createElement("strong")), doc);
    else if (em !== undefined || em2 !== undefined) renderInline((em ?? em2) as string, parent.appendChild(doc.createElement("em")), doc);
    else if (label !== undefined) appendLink(label, href as string, parent, doc);
  }
  if (last < text.length) parent.appendChild(doc.createTextNode(text.slice(last)));
}

/** A link to a safe address; anything else (javascript:, data:, relative) stays plain text. */
function appendLink(label: string, href: string, parent: Node, doc: Document): void {
  if (!safeUrl(href)) {
    parent.appendChild(doc.createTextNode(`[${label}](${href})`));
    return;
  }
  const a = parent.appendChild(doc.createElement("a"));
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer nofollow";
  renderInline(label, a, doc);
}

/** True for absolute http(s) and mailto addresses only. */
export function safeUrl(href: string): boolean {
  try {
    return ["http:", "https:", "mailto:"].includes(new URL(href).protocol);
  } catch {
    return false;
  }
}
