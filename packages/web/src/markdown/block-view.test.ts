import { describe, expect, it, vi } from "vitest";
import { makeBlockView } from "./block-view.ts";
import { MARKDOWN_CASES } from "./markdown-cases.ts";

/** The root's HTML with code blocks' highlighting spans taken out: what the cases list. */
export function plainHtml(root: Element): string {
  const copy = root.cloneNode(true) as Element;
  for (const code of copy.querySelectorAll("pre code")) code.replaceChildren(code.textContent ?? "");
  return copy.innerHTML;
}

const render = (text: string, streaming = false) => {
  const root = document.createElement("div");
  makeBlockView(root).update(text, streaming);
  return root;
};

describe("Markdown, block by block", () => {
  it.each(MARKDOWN_CASES)("$name", ({ input, html }) => {
    expect(plainHtml(render(input))).toBe(html);
  });

  it("keeps every tag and attribute in the text inert", () => {
    const root = render('<img src=x onerror="alert(1)"> <script>alert(2)</script> **<svg onload=alert(3)>** [x](javascript:alert(4))');
    expect(root.querySelector("img, script, svg, [onerror], [onload], a")).toBeNull();
  });

  it("re-renders only the block being written: the finished ones keep their DOM untouched", () => {
    const root = document.createElement("div");
    const view = makeBlockView(root);
    view.update("# Title\n\n- one\n- two\n\nA para", true);
    const [heading, list] = [...root.children];
    const mutations: MutationRecord[] = [];
    const observer = new MutationObserver((records) => mutations.push(...records));
    observer.observe(heading as Element, { subtree: true, childList: true, characterData: true, attributes: true });
    observer.observe(list as Element, { subtree: true, childList: true, characterData: true, attributes: true });
    view.update("# Title\n\n- one\n- two\n\nA paragraph that grows", true);
    view.update("# Title\n\n- one\n- two\n\nA paragraph that grows\n\n| a |\n| - |\n| 1 |", true);
    observer.disconnect();
    expect(root.children[0]).toBe(heading);
    expect(root.children[1]).toBe(list);
    expect(observer.takeRecords().concat(mutations)).toEqual([]);
    expect(root.querySelector("table")).not.toBeNull();
    // The caret follows the last character, in the block being written.
    expect(root.querySelectorAll(".caret")).toHaveLength(1);
    expect(root.querySelector("td .caret")).not.toBeNull();
    view.update("# Title\n\n- one\n- two\n\nA paragraph that grows\n\n| a |\n| - |\n| 1 |", false);
    expect(root.querySelector(".caret")).toBeNull();
  });

  it("re-renders a finished block when later text changes what it is (a table's delimiter row arriving)", () => {
    const root = document.createElement("div");
    const view = makeBlockView(root);
    view.update("| a | b |", true);
    expect(root.querySelector("p")?.textContent).toBe("| a | b |");
    view.update("| a | b |\n| - | - |", true);
    expect(root.querySelector("p")).toBeNull();
    expect(root.querySelectorAll("th")).toHaveLength(2);
  });

  it("re-renders a block whose reference a later definition resolves (a link, a footnote)", () => {
    const root = document.createElement("div");
    const view = makeBlockView(root);
    view.update("see [docs][1] and note[^1]", true);
    expect(root.querySelector("a, sup")).toBeNull();
    view.update("see [docs][1] and note[^1]\n\n[1]: https://example.com\n[^1]: the note", false);
    expect(root.querySelector("p a")?.getAttribute("href")).toBe("https://example.com");
    expect(root.querySelector("p sup")?.textContent).toBe("[1]");
  });

  it("highlights code with a language once the highlighter's chunk is in", async () => {
    const root = render("```ts\nconst answer: number = 42;\n```");
    await vi.waitFor(() => expect(root.querySelector("code .hljs-keyword")?.textContent).toBe("const"));
    expect(root.querySelector("code")?.textContent).toBe("const answer: number = 42;");
    expect(root.querySelector(".code-lang")?.getAttribute("data-lang")).toBe("ts");
  });
});
