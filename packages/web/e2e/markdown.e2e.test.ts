import { demoReply } from "@murmur/core/agent";
import { describe, expect, it } from "vitest";
import { MARKDOWN_CASES } from "../src/markdown/markdown-cases.ts";
import { sendFromComposer, threadIdOf } from "./browser.ts";
import { ingestExchange, WAIT } from "./server.ts";
import { useChromiumAndServer } from "./suite.ts";

const suite = useChromiumAndServer();

describe("Markdown in Chromium", () => {
  it(`renders the table of ${MARKDOWN_CASES.length} tricky inputs as the expected DOM`, async () => {
    const server = await suite.startServer();
    const page = await (await suite.browser().newContext()).newPage();
    await page.goto(server.url);
    await sendFromComposer(page, "hello");
    const threadId = await threadIdOf(page);
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    for (const [i, c] of MARKDOWN_CASES.entries()) await ingestExchange(server, threadId, `case${i}`, c.name, c.input);
    await expect
      .poll(() => page.locator('.message[data-role="assistant"][data-status="complete"]').count(), WAIT)
      .toBe(MARKDOWN_CASES.length + 1);
    const rendered = await page.evaluate(() =>
      [...document.querySelectorAll('.message[data-role="assistant"] .markdown')].slice(1).map((root) => {
        const copy = root.cloneNode(true) as Element;
        for (const code of copy.querySelectorAll("pre code")) code.replaceChildren(code.textContent ?? "");
        return copy.innerHTML;
      }),
    );
    for (const [i, c] of MARKDOWN_CASES.entries()) expect(rendered[i], c.name).toBe(c.html);
  });

  it("keeps raw HTML, javascript: links and <img onerror> inert, and highlights code with a Copy button that copies it", async () => {
    const server = await suite.startServer();
    const context = await suite.browser().newContext();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(server.url);
    await sendFromComposer(page, "hello");
    const threadId = await threadIdOf(page);
    const attack = [
      '<img src=x onerror="window.pwned=1">',
      "[click](javascript:window.pwned=2) [data](data:text/html,<script>window.pwned=3</script>)",
      "![x](javascript:window.pwned=4)",
      '<a href="javascript:window.pwned=5">raw link</a> <iframe src="javascript:window.pwned=6"></iframe>',
      "```ts\nconst answer: number = 42;\n```",
    ].join("\n\n");
    await ingestExchange(server, threadId, "attack", "attack", attack);
    await page.locator(".code-block code .hljs-keyword").waitFor();
    expect(await page.locator(".messages img, .messages script, .messages iframe, .messages [onerror]").count()).toBe(0);
    expect(await page.locator('.messages a[href^="javascript:"], .messages a[href^="data:"]').count()).toBe(0);
    await page.getByRole("button", { name: "Copy code" }).click();
    await page.locator('.copy-code[data-copied="yes"]').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("const answer: number = 42;");
    expect(await page.evaluate(() => (window as { pwned?: unknown }).pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  it("streams a formatted demo reply without re-rendering the blocks already written", async () => {
    const server = await suite.startServer({ DEMO_PACE_MS: "30" });
    const page = await (await suite.browser().newContext()).newPage();
    await page.goto(server.url);
    const prompt = "give me a list of steps";
    await sendFromComposer(page, prompt);
    const streaming = page.locator('.message[data-role="assistant"][data-status="streaming"]');
    // Once the first block is written, watch it: nothing in it may change while the rest streams.
    await streaming.locator(".markdown > p + ol").waitFor();
    await page.evaluate(() => {
      const first = document.querySelector('.message[data-status="streaming"] .markdown > p') as Element;
      const w = window as unknown as { firstBlock: Element; changes: number };
      w.firstBlock = first;
      w.changes = 0;
      new MutationObserver((records) => {
        w.changes += records.filter((r) => !(r.target as Element).classList?.contains("caret")).length;
      }).observe(first, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    const result = await page.evaluate(() => {
      const w = window as unknown as { firstBlock: Element; changes: number };
      return { same: document.querySelector('.message[data-role="assistant"] .markdown > p') === w.firstBlock, changes: w.changes };
    });
    // The one change allowed: the caret leaving the block when the list began.
    expect(result.same).toBe(true);
    expect(result.changes).toBeLessThanOrEqual(1);
    expect(await page.locator(".markdown ol > li").count()).toBe(4);
    expect(await page.locator(".markdown ol > li ul > li em").textContent()).toBe("Server-Sent Events");
    expect(await page.locator(".markdown del").textContent()).toBe("polling");
    expect(demoReply({ prompt, history: [] })).toContain("1. The browser posts it");
  });

  it("answers with a table or a code block when asked: the demo responder shows what the app renders", async () => {
    const server = await suite.startServer();
    const page = await (await suite.browser().newContext()).newPage();
    await page.goto(server.url);
    await sendFromComposer(page, "compare the designs in a table");
    await page.locator('.message[data-role="assistant"][data-status="complete"] table').waitFor();
    expect(await page.locator(".markdown th").allTextContents()).toEqual(["design", "delivery", "lost on reconnect", "idle cost"]);
    await sendFromComposer(page, "show me some code");
    await page.locator('.message[data-status="complete"] .code-block .hljs-keyword').first().waitFor();
    expect(await page.locator(".code-lang").getAttribute("data-lang")).toBe("ts");
    expect(await page.locator(".author").last().textContent()).toContain("Demo responder");
  });
});
