import type { RootContent } from "hast";
import bash from "highlight.js/lib/languages/bash";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import { createLowlight } from "lowlight";

// Its own lazy chunk: loaded the first time a reply holds a code block with a language.
// The languages chat replies hold most; each costs 0.3-3 KB gzip (C, C++, CSS and Java,
// 10 KB together, stay out: their blocks show unhighlighted).
// Highlighting gives a tree (lowlight), never HTML, so it is built as DOM like the rest.
const lowlight = createLowlight({ bash, diff, go, javascript, json, python, rust, sql, typescript, xml, yaml });
lowlight.registerAlias({
  bash: ["sh", "shell", "zsh", "console"],
  javascript: ["js", "jsx", "mjs", "cjs"],
  python: ["py"],
  rust: ["rs"],
  typescript: ["ts", "tsx", "mts"],
  xml: ["html", "svg", "xhtml"],
  yaml: ["yml"],
});

/** Fills `code` with `text` highlighted as `lang` (spans with `hljs-*` classes); an unknown language stays plain text. */
export function highlightInto(code: HTMLElement, text: string, lang: string): void {
  const name = lang.toLowerCase();
  if (!lowlight.registered(name)) {
    code.textContent = text;
    return;
  }
  const doc = code.ownerDocument;
  const append = (parent: Node, nodes: readonly RootContent[]) => {
    for (const node of nodes) {
      if (node.type === "text") parent.appendChild(doc.createTextNode(node.value));
      else if (node.type === "element") {
        const span = doc.createElement("span");
        const className = node.properties.className;
        if (Array.isArray(className)) span.className = className.join(" ");
        append(span, node.children);
        parent.appendChild(span);
      }
    }
  };
  code.replaceChildren();
  append(code, lowlight.highlight(name, text).children);
}
