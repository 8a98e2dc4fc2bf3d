import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { fitsWidth, rightEdges, sendFromComposer, threadIdOf } from "./browser.ts";
import { ingestExchange, WAIT } from "./server.ts";
import { useChromiumAndServer } from "./suite.ts";

const suite = useChromiumAndServer();

const LONG_CODE = `const x = ${"'a'.repeat(1) + ".repeat(30)}1; // ${"y".repeat(120)}`;
const LONG_URL = `https://example.com/${"segment/".repeat(30)}end?query=${"q".repeat(60)}`;
const LONG_WORD = "W".repeat(300);
const REPLY = [
  `# A title that is ${"very".repeat(40)} long`,
  "",
  "```js",
  LONG_CODE,
  "```",
  "",
  `See ${LONG_URL} and ${LONG_WORD}.`,
  "",
  "| a | b |",
  "| - | - |",
  `| ${"x".repeat(200)} | ${"z".repeat(200)} |`,
].join("\n");

async function chatWithLongLines(page: Page) {
  const server = await suite.startServer();
  await page.goto(server.url);
  await sendFromComposer(page, `my own message with ${"Q".repeat(300)} and ${LONG_URL}`);
  const threadId = await threadIdOf(page);
  await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
  await ingestExchange(server, threadId, "long", "and a long reply?", REPLY);
  await page.locator(".markdown .code-block").waitFor();
  await page.locator(".markdown table").waitFor();
  return server;
}

describe("the layout in Chromium", () => {
  for (const width of [320, 375, 1280, 1920]) {
    it(`never scrolls sideways at ${width} px, whatever the content: code and tables scroll inside, long words and URLs wrap`, async () => {
      const page = await (await suite.browser().newContext({ viewport: { width, height: 800 } })).newPage();
      await chatWithLongLines(page);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
      expect(await fitsWidth(page)).toBe(true);
      // The person's own message, the status and Send stay on screen.
      for (const selector of ['.message[data-role="user"]', ".connection", 'form.composer button[type="submit"]', ".message-list"]) {
        for (const { right, width: w } of await rightEdges(page, selector)) expect(right, selector).toBeLessThanOrEqual(w);
      }
      // The long code line scrolls inside its block.
      const pre = await page.locator(".code-block pre").evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      expect(pre.scroll).toBeGreaterThan(pre.client);
    });
  }

  it("keeps the chats in a drawer at 375 px: closed at first, opened and closed by the header's button, closed by choosing a chat", async () => {
    const page = await (await suite.browser().newContext({ viewport: { width: 375, height: 740 } })).newPage();
    await chatWithLongLines(page);
    const drawer = page.locator("nav.threads");
    const toggle = page.getByRole("button", { name: "Chats" });
    expect(await drawer.isVisible()).toBe(false);
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    await toggle.click();
    await drawer.waitFor({ state: "visible" });
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "hidden" });
    await toggle.click();
    await page.locator(".thread").first().click();
    await drawer.waitFor({ state: "hidden" });
    expect(await fitsWidth(page)).toBe(true);
  });

  it("grows the composer with its text up to a bound, then scrolls inside it", async () => {
    const page = await (await suite.browser().newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const server = await suite.startServer();
    await page.goto(server.url);
    const box = page.getByRole("textbox", { name: "Message" });
    const height = () => box.evaluate((el) => el.getBoundingClientRect().height);
    const one = await height();
    await box.fill("one\ntwo\nthree\nfour");
    await expect.poll(height, WAIT).toBeGreaterThan(one * 2);
    await box.fill(Array.from({ length: 60 }, (_, i) => `line ${i}`).join("\n"));
    await expect.poll(height, WAIT).toBeLessThanOrEqual(800 * 0.4 + 1);
    expect(await box.evaluate((el) => el.scrollHeight > el.clientHeight && getComputedStyle(el).overflowY === "auto")).toBe(true);
    await box.fill("");
    await expect.poll(height, WAIT).toBeLessThanOrEqual(one + 1);
  });
});
