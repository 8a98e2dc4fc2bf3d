import { demoReply } from "@murmur/core/agent";
import { describe, expect, it } from "vitest";
import type { LocalServer } from "../../functions/src/local/start.ts";
import { assistantTexts, sendFromComposer, threadIdOf } from "./browser.ts";
import { logEvents } from "./server.ts";
import { useChromiumAndServer } from "./suite.ts";

const suite = useChromiumAndServer();
let server: LocalServer | undefined;

describe("the sidebar in Chromium", () => {
  it("badges a reply that arrives in another thread, live; reading it in another tab clears the badge everywhere, live", async () => {
    server = await suite.startServer({ DEMO_PACE_MS: "40" });
    const context = await suite.browser().newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    const prompt = "answer me while I am elsewhere";
    await sendFromComposer(page, prompt);
    const threadId = await threadIdOf(page);
    await page.locator('.message[data-role="assistant"][data-status="streaming"]').waitFor();
    await page.getByRole("button", { name: "New chat" }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(threadId));
    await server.deps.invoker.idle();

    // No reload and no focus event: the open stream carries the thread list's changes.
    const badge = page.getByRole("link", { name: new RegExp(`${prompt}.*unread`) });
    await badge.waitFor();

    // Another tab opens the thread: the reply is on screen there, so it is read.
    const other = await context.newPage();
    const readRecorded = other.waitForResponse((r) => r.url().endsWith(`/api/chats/${threadId}/read`));
    await other.goto(`${server.url}/t/${threadId}`);
    await other.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    await readRecorded;
    expect((await logEvents(server, threadId)).filter((e) => e.type === "thread.read").length).toBeGreaterThanOrEqual(1);

    await badge.waitFor({ state: "detached" });

    // The thread's URL survives a reload.
    await other.reload();
    await other.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();
    expect(await assistantTexts(other)).toEqual([demoReply({ prompt, history: [] })]);
    expect(await other.locator("h1").textContent()).toBe(prompt);
  });
});
