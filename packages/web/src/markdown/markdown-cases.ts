/**
 * Tricky Markdown inputs and the DOM each must become (`innerHTML` of the message's
 * `.markdown`, code blocks compared without their highlighting spans). Checked under
 * jsdom (block-view.test.ts) and in Chromium (e2e/markdown.e2e.test.ts).
 */
export interface MarkdownCase {
  readonly name: string;
  readonly input: string;
  readonly html: string;
}

const LINK = 'target="_blank" rel="noopener noreferrer nofollow"';
const code = (lang: string, text: string) =>
  `<div class="code-block"><div class="code-head"><span class="code-lang" data-lang="${lang || "text"}"></span>` +
  `<button type="button" class="copy-code" aria-label="Copy code"></button></div>` +
  `<pre tabindex="0"><code${lang ? ` class="language-${lang}"` : ""}>${text}</code></pre></div>`;

export const MARKDOWN_CASES: readonly MarkdownCase[] = [
  { name: "a soft line break stays in the paragraph", input: "one\ntwo", html: "<p>one\ntwo</p>" },
  {
    name: "bold, emphasis and inline code",
    input: "**bold** and *em* and `code`",
    html: "<p><strong>bold</strong> and <em>em</em> and <code>code</code></p>",
  },
  {
    name: "snake_case words are not emphasis",
    input: "use snake_case_names and __init__ here",
    html: "<p>use snake_case_names and <strong>init</strong> here</p>",
  },
  {
    name: "nested emphasis",
    input: "***both*** and **bold *inner* bold**",
    html: "<p><em><strong>both</strong></em> and <strong>bold <em>inner</em> bold</strong></p>",
  },
  { name: "strikethrough", input: "~~gone~~ kept", html: "<p><del>gone</del> kept</p>" },
  { name: "headings stay small in a bubble", input: "# Title\n## Sub", html: "<h3>Title</h3><h4>Sub</h4>" },
  { name: "a setext heading", input: "Title\n===", html: "<h3>Title</h3>" },
  { name: "an ordered list keeps its start", input: "3. three\n4. four", html: '<ol start="3"><li>three</li><li>four</li></ol>' },
  {
    name: "nested bullet lists",
    input: "- a\n  - b\n    - c\n- d",
    html: "<ul><li>a<ul><li>b<ul><li>c</li></ul></li></ul></li><li>d</li></ul>",
  },
  {
    name: "bullets nested in a numbered list",
    input: "1. one\n   - x\n2. two",
    html: "<ol><li>one<ul><li>x</li></ul></li><li>two</li></ol>",
  },
  { name: "a loose list keeps paragraphs", input: "- a\n\n- b", html: "<ul><li><p>a</p></li><li><p>b</p></li></ul>" },
  {
    name: "a task list",
    input: "- [x] done\n- [ ] todo",
    html:
      '<ul class="task-list"><li><input type="checkbox" disabled="" checked="" aria-label="done">done</li>' +
      '<li><input type="checkbox" disabled="" aria-label="not done">todo</li></ul>',
  },
  {
    name: "a table with alignment",
    input: "| a | b | c |\n| :- | -: | :-: |\n| 1 | 2 | 3 |",
    html:
      '<div class="table-wrap"><table><thead><tr><th style="text-align: left;">a</th><th style="text-align: right;">b</th>' +
      '<th style="text-align: center;">c</th></tr></thead><tbody><tr><td style="text-align: left;">1</td>' +
      '<td style="text-align: right;">2</td><td style="text-align: center;">3</td></tr></tbody></table></div>',
  },
  {
    name: "a table cell with formatting and an escaped pipe",
    input: "| x | y |\n| - | - |\n| `a\\|b` | **c** |",
    html: '<div class="table-wrap"><table><thead><tr><th>x</th><th>y</th></tr></thead><tbody><tr><td><code>a|b</code></td><td><strong>c</strong></td></tr></tbody></table></div>',
  },
  { name: "a fenced code block with its language", input: "```ts\nconst a = 1 < 2;\n```", html: code("ts", "const a = 1 &lt; 2;") },
  { name: "an unclosed fence (a reply still streaming) runs to the end", input: "```py\nprint(1)", html: code("py", "print(1)") },
  { name: "Markdown inside code stays literal", input: "```\n**not bold**\n```", html: code("", "**not bold**") },
  { name: "an indented code block", input: "    indented", html: code("", "indented") },
  {
    name: "a bare URL becomes a link, without the sentence's full stop",
    input: "see https://example.com/a_b.",
    html: `<p>see <a href="https://example.com/a_b" ${LINK}>https://example.com/a_b</a>.</p>`,
  },
  {
    name: "a bare URL with parentheses is whole",
    input: "https://en.wikipedia.org/wiki/Foo_(bar)",
    html: `<p><a href="https://en.wikipedia.org/wiki/Foo_(bar)" ${LINK}>https://en.wikipedia.org/wiki/Foo_(bar)</a></p>`,
  },
  {
    name: "a link whose address holds parentheses",
    input: "[wiki](https://en.wikipedia.org/wiki/Foo_(bar))",
    html: `<p><a href="https://en.wikipedia.org/wiki/Foo_(bar)" ${LINK}>wiki</a></p>`,
  },
  { name: "a javascript: link is inert", input: "[click](javascript:alert(1))", html: "<p><span>click</span></p>" },
  { name: "raw HTML shows as text", input: '<img src=x onerror="alert(1)">', html: '<p>&lt;img src=x onerror="alert(1)"&gt;</p>' },
  { name: "inline HTML shows as text", input: "a <b>bold</b> c", html: "<p>a &lt;b&gt;bold&lt;/b&gt; c</p>" },
  { name: "a script block shows as text", input: "<script>alert(2)</script>", html: "<p>&lt;script&gt;alert(2)&lt;/script&gt;</p>" },
  {
    name: "an image becomes a link",
    input: "![a chart](https://example.com/x.png)",
    html: `<p><a href="https://example.com/x.png" ${LINK}>🖼 a chart</a></p>`,
  },
  {
    name: "a quote holding a list",
    input: "> quote\n> - item",
    html: "<blockquote><p>quote</p><ul><li>item</li></ul></blockquote>",
  },
  { name: "a hard line break", input: "line  \nnext", html: "<p>line<br>next</p>" },
  { name: "a thematic break", input: "a\n\n---\n\nb", html: "<p>a</p><hr><p>b</p>" },
  {
    name: "a reference link",
    input: "[docs][1]\n\n[1]: https://example.com",
    html: `<p><a href="https://example.com" ${LINK}>docs</a></p><!--definition-->`,
  },
  { name: "entities and escapes", input: "&copy; \\*not em\\*", html: "<p>© *not em*</p>" },
  { name: "an email autolink", input: "<me@example.com>", html: `<p><a href="mailto:me@example.com" ${LINK}>me@example.com</a></p>` },
  {
    name: "a footnote",
    input: "note[^1]\n\n[^1]: the note",
    html: '<p>note<sup>[1]</sup></p><div class="footnote"><sup>[1]</sup><p>the note</p></div>',
  },
];
