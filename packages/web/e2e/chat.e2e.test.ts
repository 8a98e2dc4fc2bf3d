import { demoReply } from "@murmur/core/agent";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { LocalServer } from "../../functions/src/local/start.ts";
import { assistantTexts, sendFromComposer, threadIdOf } from "./browser.ts";
import { health, logEvents, WAIT } from "./server.ts";
import { useChromiumAndServer } from "./suite.ts";

const suite = useChromiumAndServer();
let server: LocalServer | undefined;

async function open(env: Record<string, string> = {}): Promise<{ server: LocalServer; page: Page }> {
  server = await suite.startServer(env);
  const context = await suite.browser().newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  await page.getByRole("button", { name: "New chat" }).waitFor();
  return { server, page };
}

const reply = (prompt: string) => demoReply({ prompt, history: [] });
const assistant = (page: Page) => page.locator('.message[data-role="assistant"]');

describe("the chat in Chromium", () => {
  it("sends a message and shows the reply streaming in, with a caret, then whole", async () => {
    const { page } = await open({ DEMO_PACE_MS: "40" });
    const prompt = "Tell me how streaming works";
    await sendFromComposer(page, prompt);
    await expect(page.locator('.message[data-role="user"] .text').textContent()).resolves.toBe(prompt);

    // In the middle of the reply: part of the text, and the caret after it.
    await page.locator('.message[data-role="assistant"][data-status="streaming"] .markdown .caret').waitFor();
    await expect
      .poll(async () => ((await assistantTexts(page))[0] ?? "").length, { ...WAIT, message: "the first words" })
      .toBeGreaterThan(10);
    const partial = (await assistantTexts(page))[0] ?? "";
    expect(reply(prompt).startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(reply(prompt).length);

    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    expect(await assistantTexts(page)).toEqual([reply(prompt)]);
    expect(await page.locator(".caret").count()).toBe(0);
    // The thread got its URL and its title from the first message.
    await threadIdOf(page);
    await expect(page.locator(".thread-title").first().textContent()).resolves.toBe(prompt);
  });

  it("shows the same reply in two tabs of one thread", async () => {
    const { server, page } = await open();
    await sendFromComposer(page, "first message");
    const threadId = await threadIdOf(page);
    await assistant(page).and(page.locator('[data-status="complete"]')).waitFor();

    const second = await page.context().newPage();
    await second.goto(`${server.url}/t/${threadId}`);
    await second.getByRole("status").getByText("Live").waitFor();
    const prompt = "seen by both tabs";
    await sendFromComposer(page, prompt);
    for (const tab of [page, second]) {
      await expect
        .poll(() => tab.locator('.message[data-role="assistant"][data-status="complete"]').count(), { ...WAIT, message: "two replies" })
        .toBe(2);
      expect(await assistantTexts(tab)).toEqual([reply("first message"), demoReply({ prompt, history: [{ role: "user", text: "" }] })]);
    }
  });

  it("closes the previous thread's stream when switching threads (the server's count of open streams)", async () => {
    const { server, page } = await open();
    await sendFromComposer(page, "thread one");
    const first = await threadIdOf(page);
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    await page.getByRole("status").getByText("Live").waitFor();
    await expect.poll(async () => (await health(server)).streams.open, { ...WAIT, message: "one open stream" }).toBe(1);

    await page.getByRole("button", { name: "New chat" }).click();
    await expect.poll(() => threadIdOf(page), { ...WAIT, message: "the new thread's URL" }).not.toBe(first);
    await page.getByRole("status").getByText("Live").waitFor();
    await expect.poll(async () => (await health(server)).streams.total, { ...WAIT, message: "the second stream" }).toBe(2);
    // The browser closed the first stream: the server counts one open, not two.
    await expect.poll(async () => (await health(server)).streams.open, { ...WAIT, message: "the first stream to close" }).toBe(1);

    await page.getByRole("link", { name: /thread one/ }).click();
    await page.waitForURL(`**/t/${first}`);
    await expect.poll(async () => (await health(server)).streams.total, { ...WAIT, message: "the third stream" }).toBe(3);
    await expect
      .poll(async () => (await health(server)).streams.open, { ...WAIT, message: "one open stream after switching back" })
      .toBe(1);
    // Switching back kept the thread's messages.
    expect(await assistantTexts(page)).toEqual([reply("thread one")]);
  });

  it("renders a message carrying an XSS attempt as inert text", async () => {
    const { page } = await open();
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const attack = `<img src=x onerror="window.pwned=1;alert(1)"> <script>window.pwned=2</script> [click](javascript:window.pwned=3) **<svg onload=alert(4)>**`;
    await sendFromComposer(page, attack);
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    await expect(page.locator('.message[data-role="user"] .text').textContent()).resolves.toBe(attack);
    expect((await assistantTexts(page))[0]).toContain('<img src=x onerror="window.pwned=1;alert(1)">');
    expect(await page.locator(".messages img, .messages script, .messages svg, .messages [onerror]").count()).toBe(0);
    expect(await page.locator('.messages a[href^="javascript:"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as { pwned?: unknown }).pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  it("stops a reply with the stop button: the agent stops and the log records the stop once", async () => {
    const { server, page } = await open({ DEMO_PACE_MS: "150" });
    const prompt = "please write a long answer";
    await sendFromComposer(page, prompt);
    const threadId = await threadIdOf(page);
    await expect
      .poll(async () => ((await assistantTexts(page))[0] ?? "").length, { ...WAIT, message: "the first words" })
      .toBeGreaterThan(5);
    await page.getByRole("button", { name: "Stop", exact: true }).click();

    await assistant(page).and(page.locator('[data-status="failed"]')).waitFor();
    await expect(assistant(page).locator(".message-error").textContent()).resolves.toMatch(/^Stopped\./);
    const stoppedAt = (await assistantTexts(page))[0] ?? "";
    expect(stoppedAt.length).toBeLessThan(reply(prompt).length);
    await expect(page.getByRole("button", { name: "Send", exact: true }).isVisible()).resolves.toBe(true);

    await server.deps.invoker.idle();
    const events = await logEvents(server, threadId);
    expect(events.filter((e) => e.type === "run.cancel_requested")).toHaveLength(1);
    expect(events.filter((e) => e.type === "message.failed")).toEqual([expect.objectContaining({ kind: "stopped" })]);
    expect(events.some((e) => e.type === "message.completed")).toBe(false);
    await new Promise((r) => setTimeout(r, 400)); // three words' time: nothing more arrives
    expect((await assistantTexts(page))[0]).toBe(stoppedAt);
  });

  it("works by keyboard alone at 375 px, announces the reply, and never scrolls sideways", async () => {
    server = await suite.startServer();
    const page = await (await suite.browser().newContext({ viewport: { width: 375, height: 700 } })).newPage();
    await page.goto(server.url);
    await page.locator("button.new-chat:not([disabled])").waitFor({ state: "attached" }); // in the closed drawer
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent);
    // The chats are a drawer at this width: its button comes first, and opening it moves the focus to New chat inside it.
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("Chats");
    await page.keyboard.press("Enter");
    await expect.poll(focused, WAIT).toBe("New chat");
    await page.keyboard.press("Enter");
    await threadIdOf(page);
    // New chat closes the drawer and puts the focus in the composer.
    await expect.poll(focused, WAIT).toBe("Message");
    await page.keyboard.type("typed without a mouse");
    await page.keyboard.press("Enter");
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    await expect(page.locator(".messages-frame [aria-live]").textContent()).resolves.toBe(
      `Demo responder replied: ${reply("typed without a mouse")}`,
    );
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  });

  it("follows a streaming reply at the bottom, stops when scrolled up, and jumps back to the latest", async () => {
    server = await suite.startServer({ DEMO_PACE_MS: "60" });
    const page = await (await suite.browser().newContext({ viewport: { width: 700, height: 420 } })).newPage();
    await page.goto(server.url);
    await sendFromComposer(page, "fill the screen");
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    const gap = () =>
      page.evaluate(() => {
        const el = document.querySelector(".messages") as HTMLElement;
        return el.scrollHeight - el.scrollTop - el.clientHeight;
      });
    await sendFromComposer(page, "and keep following me");
    await expect
      .poll(async () => ((await assistantTexts(page))[1] ?? "").length, { ...WAIT, message: "the second reply to grow" })
      .toBeGreaterThan(40);
    expect(await gap()).toBeLessThanOrEqual(48); // following

    await page.locator(".messages").evaluate((el) => el.scrollTo({ top: 0 }));
    await page.getByRole("button", { name: /Jump to latest/ }).waitFor();
    const before = await page.locator(".messages").evaluate((el) => el.scrollTop);
    await expect.poll(async () => ((await assistantTexts(page))[1] ?? "").length, { ...WAIT, message: "more text" }).toBeGreaterThan(120);
    expect(await page.locator(".messages").evaluate((el) => el.scrollTop)).toBe(before); // not dragged down

    await page.getByRole("button", { name: /Jump to latest/ }).click();
    expect(await gap()).toBeLessThanOrEqual(48);
    await page.getByRole("button", { name: /Jump to latest/ }).waitFor({ state: "detached" });
  });
});
