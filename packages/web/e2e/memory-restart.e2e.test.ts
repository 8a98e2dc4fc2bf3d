import { demoReply } from "@murmur/core/agent";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LocalServer } from "../../functions/src/local/start.ts";
import { axeViolations } from "./axe.ts";
import { assistantTexts, fitsWidth, launchChromium, sendFromComposer, threadIdOf } from "./browser.ts";
import { startServer, WAIT } from "./server.ts";

let browser: Browser;
const servers: LocalServer[] = [];
beforeAll(async () => {
  browser = await launchChromium();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close().catch(() => undefined)));
});
afterAll(async () => {
  await browser?.close();
});

/** The longest a tab may take to say so: a try or two of the back-off, and one question to the API. */
const NOTICE_WITHIN_MS = 10_000;
const GONE = "This chat is gone: the server restarted without saving chats (no REDIS_URL).";

const notice = (page: Page) => page.locator(".gone-notice[role=alert]");

/** A chat with a finished reply in a tab, and the server stopped and started again on the same port, with `env`. */
async function restartUnder(page: Page, env: Record<string, string>): Promise<{ threadId: string; elapsed: () => number }> {
  const first = await startServer();
  servers.push(first);
  await page.goto(first.url);
  await sendFromComposer(page, "remember me");
  const threadId = await threadIdOf(page);
  await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor(WAIT);
  await page.getByRole("status").getByText("Live").waitFor(WAIT);
  await first.close();
  servers.push(await startServer({ PORT: new URL(first.url).port, ...env }));
  const restarted = Date.now();
  return { threadId, elapsed: () => Date.now() - restarted };
}

/** The notice is up, and nothing says Loading, Reconnecting or Live. */
async function expectGone(page: Page, threadId: string): Promise<void> {
  await notice(page).waitFor({ timeout: NOTICE_WITHIN_MS });
  expect(await notice(page).locator("p").first().textContent()).toBe(GONE);
  expect(await page.locator(".connection").count()).toBe(0);
  expect(await page.getByText("Loading…").count()).toBe(0);
  expect(await page.locator(".message").count()).toBe(0);
  await expect.poll(() => page.locator(".thread-row").count(), { ...WAIT, message: "the lost chat out of the list" }).toBe(0);
  expect(new URL(page.url()).pathname).toBe(`/t/${threadId}`);
}

/** New chat from the notice works: a new thread, and its reply. */
async function expectNewChatWorks(page: Page, threadId: string): Promise<void> {
  await notice(page).getByRole("button", { name: "New chat" }).click();
  await expect.poll(() => threadIdOf(page), { ...WAIT, message: "a new thread" }).not.toBe(threadId);
  await expect.poll(() => notice(page).count(), WAIT).toBe(0);
  await sendFromComposer(page, "after the restart");
  await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor(WAIT);
  expect(await assistantTexts(page)).toEqual([demoReply({ prompt: "after the restart", history: [] })]);
  await page.getByRole("status").getByText("Live").waitFor(WAIT);
}

describe("a memory-mode server restarts (no REDIS_URL: the chats are gone)", () => {
  it("the open tab says plainly that the chat is gone, and so does a reload; New chat works", async () => {
    const page = await (await browser.newContext()).newPage();
    const { threadId, elapsed } = await restartUnder(page, {});
    await expectGone(page, threadId);
    console.log(`gone notice ${(elapsed() / 1000).toFixed(1)} s after the restart (same session secret: the stream answered 404)`);

    expect(await axeViolations(page), "the gone notice").toEqual([]);

    await page.setViewportSize({ width: 320, height: 640 });
    await page.reload();
    const reloaded = Date.now();
    await expectGone(page, threadId);
    console.log(`after a reload: the notice in ${((Date.now() - reloaded) / 1000).toFixed(1)} s`);
    expect(await fitsWidth(page)).toBe(true);
    await expectNewChatWorks(page, threadId);
  });

  it("with a new session secret too: the refused session (401) is renewed without a word, then the same notice", async () => {
    const page = await (await browser.newContext()).newPage();
    const sessions: number[] = [];
    page.on("response", (response) => {
      if (new URL(response.url()).pathname === "/api/session") sessions.push(response.status());
    });
    const { threadId, elapsed } = await restartUnder(page, { SESSION_SECRET: "a-new-session-secret-after-the-restart-0123" });
    await expectGone(page, threadId);
    console.log(`gone notice ${(elapsed() / 1000).toFixed(1)} s after the restart (new secret: 401, session renewed, then 404)`);
    expect(sessions).toEqual([200, 200]); // the first load's, and the renewal's
    expect(await page.locator(".app-error, .composer-error").count()).toBe(0);
    await expectNewChatWorks(page, threadId);
  });
});
