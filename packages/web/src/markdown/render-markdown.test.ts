import { describe, expect, it } from "vitest";
import { renderMarkdown, safeUrl } from "./render-markdown.ts";

const html = (text: string) => {
  const div = document.createElement("div");
  div.appendChild(renderMarkdown(text));
  return div.innerHTML;
};

describe("renderMarkdown", () => {
  it("renders paragraphs, emphasis, inline code, headings and lists", () => {
    expect(html("Hello **bold** and *em* with `code`\nnext line\n\n# Title\n- one\n- two\n\n1. first")).toBe(
      "<p>Hello <strong>bold</strong> and <em>em</em> with <code>code</code><br>next line</p>" +
        "<h3>Title</h3><ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>",
    );
  });

  it("renders fenced code blocks verbatim, also while the fence is still open", () => {
    expect(html("```js\nconst a = 1 < 2;\n**not bold**\n```\nafter")).toBe(
      '<pre><code data-lang="js">const a = 1 &lt; 2;\n**not bold**</code></pre><p>after</p>',
    );
    expect(html("```\nstreaming")).toBe("<pre><code>streaming</code></pre>");
  });

  it("keeps every tag and attribute in the text inert", () => {
    const div = document.createElement("div");
    div.appendChild(renderMarkdown('<img src=x onerror="alert(1)"> <script>alert(2)</script> **<b>x</b>**'));
    expect(div.querySelector("img, script, b")).toBeNull();
    expect(div.textContent).toBe('<img src=x onerror="alert(1)"> <script>alert(2)</script> <b>x</b>');
  });

  it("links only to http(s) and mailto addresses, opening a new tab without an opener", () => {
    const div = document.createElement("div");
    div.appendChild(renderMarkdown("[ok](https://example.com/a) [bad](javascript:alert(1)) [data](data:text/html,x) [rel](/x)"));
    const links = [...div.querySelectorAll("a")];
    expect(links.map((a) => [a.getAttribute("href"), a.rel, a.target])).toEqual([
      ["https://example.com/a", "noopener noreferrer nofollow", "_blank"],
    ]);
    expect(div.textContent).toContain("[bad](javascript:alert(1))");
    expect(safeUrl("mailto:a@b.c")).toBe(true);
    expect(safeUrl("JaVaScRiPt:alert(1)")).toBe(false);
  });

  it("renders quotes", () => {
    expect(html("> quoted *text*\n> more")).toBe("<blockquote><p>quoted <em>text</em><br>more</p></blockquote>");
  });
});
