import { describe, expect, it } from "vitest";
import { sendFromComposer, threadIdOf } from "./browser.ts";
import { WAIT } from "./server.ts";
import { useChromiumAndServer } from "./suite.ts";

const suite = useChromiumAndServer();

describe("managing threads in Chromium", () => {
  it("renames a chat, live in another tab; the title stays the first message until then", async () => {
    const server = await suite.startServer();
    const context = await suite.browser().newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await sendFromComposer(page, "plans for the weekend");
    const threadId = await threadIdOf(page);
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    const other = await context.newPage();
    await other.goto(`${server.url}/t/${threadId}`);
    await other.locator(".thread-title", { hasText: "plans for the weekend" }).waitFor();

    await page.getByRole("button", { name: "Rename “plans for the weekend”" }).click();
    const box = page.getByRole("textbox", { name: "Chat title" });
    await box.fill("Weekend");
    await box.press("Enter");
    await page.locator("h1", { hasText: "Weekend" }).waitFor();
    // Focus goes back to the chat's row.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("href")), WAIT).toBe(`/t/${threadId}`);
    await other.locator(".thread-title", { hasText: /^Weekend$/ }).waitFor();
    await other.locator("h1", { hasText: "Weekend" }).waitFor();
    expect((await server.deps.log.getThread(threadId))?.title).toBe("Weekend");
  });

  it("deletes a chat with undo: Undo brings it back with nothing sent, else it goes for good, live in another tab", async () => {
    const server = await suite.startServer();
    const context = await suite.browser().newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await sendFromComposer(page, "keep me");
    const kept = await threadIdOf(page);
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    await page.getByRole("button", { name: "New chat" }).click();
    await sendFromComposer(page, "delete me");
    await page.waitForURL((url) => !url.pathname.endsWith(kept));
    const doomed = await threadIdOf(page);
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    const other = await context.newPage();
    await other.goto(`${server.url}/t/${kept}`);
    await other.locator(".thread-title", { hasText: "delete me" }).waitFor();

    const deletes: string[] = [];
    page.on("request", (r) => r.method() === "DELETE" && deletes.push(r.url()));
    await page.getByRole("button", { name: "Delete “delete me”" }).click();
    await page.getByRole("status").getByText("Deleted “delete me”.").waitFor();
    expect(await page.locator(".thread-title", { hasText: "delete me" }).count()).toBe(0);
    await page.waitForURL(`**/t/${kept}`); // the open chat went: the next one opens
    await page.getByRole("button", { name: "Undo" }).click();
    await page.locator(".thread-title", { hasText: "delete me" }).waitFor();
    await page.waitForURL(`**/t/${doomed}`);
    expect(deletes).toEqual([]);

    await page.getByRole("button", { name: "Delete “delete me”" }).click();
    await expect.poll(() => deletes.length, { timeout: 15_000, interval: 50 }).toBe(1);
    await expect.poll(async () => server.deps.log.getThread(doomed), WAIT).toBeNull();
    await other.locator(".thread-title", { hasText: "delete me" }).waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Undo" }).waitFor({ state: "detached" });
    await page.reload();
    await page.locator(".thread-title", { hasText: "keep me" }).waitFor();
    expect(await page.locator(".thread-title", { hasText: "delete me" }).count()).toBe(0);
  });

  it("filters chats by title as you type, and pages past the first 100", async () => {
    const server = await suite.startServer();
    const page = await (await suite.browser().newContext()).newPage();
    await page.goto(server.url);
    await sendFromComposer(page, "first chat");
    const threadId = await threadIdOf(page);
    const owner = (await server.deps.log.getThread(threadId))?.owner as string;
    // 130 more chats, the oldest named apart.
    for (let i = 0; i < 130; i++) {
      const id = `t_bulk${String(i).padStart(2, "0")}`;
      await server.deps.log.createThread({ id, owner, createdAt: 1_000_000 + i });
      await server.deps.log.renameThread(id, i === 0 ? "Oldest lighthouse notes" : `Bulk chat ${i}`);
    }
    await page.reload();
    await page.locator(".thread-title", { hasText: "first chat" }).waitFor();
    expect(await page.locator(".thread-title").count()).toBe(100);
    await page.getByRole("button", { name: "Show more" }).click();
    await expect.poll(() => page.locator(".thread-title").count(), WAIT).toBe(131);
    await page.getByRole("button", { name: "Show more" }).waitFor({ state: "detached" });

    await page.reload();
    await page.locator(".thread-title", { hasText: "first chat" }).waitFor();
    // A search finds chats on pages not loaded yet.
    await page.getByRole("searchbox", { name: "Search chats" }).fill("lighthouse");
    await page.locator(".thread-title", { hasText: "Oldest lighthouse notes" }).waitFor();
    expect(await page.locator(".thread-title").allTextContents()).toEqual(["Oldest lighthouse notes"]);
    await page.getByRole("searchbox", { name: "Search chats" }).fill("no such chat");
    await page.getByText("No chats match “no such chat”.").waitFor();
  });
});
