import { demoReply } from "@murmur/core/agent";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { LocalServer } from "../../functions/src/local/start.ts";
import { assistantTexts, sendFromComposer, setHidden, threadIdOf } from "./browser.ts";
import { health, logEvents, WAIT } from "./server.ts";
import { useChromiumAndServer } from "./suite.ts";

const suite = useChromiumAndServer();
let server: LocalServer | undefined;

async function open(env: Record<string, string> = {}): Promise<Page> {
  server = await suite.startServer(env);
  const page = await (await suite.browser().newContext()).newPage();
  await page.goto(server.url);
  await page.getByRole("button", { name: "New chat" }).waitFor();
  return page;
}

const complete = (page: Page) => page.locator('.message[data-role="assistant"][data-status="complete"]');

describe("resuming in Chromium", () => {
  it("closes a hidden tab's stream after the configured time and resumes on focus with nothing missed", async () => {
    const page = await open();
    await sendFromComposer(page, "before hiding");
    const threadId = await threadIdOf(page);
    await complete(page).waitFor();
    await expect.poll(async () => (await health(server as LocalServer)).streams.open, { ...WAIT, message: "the open stream" }).toBe(1);

    await setHidden(page, true);
    await page.getByRole("status").getByText("Paused while hidden").waitFor();
    await expect.poll(async () => (await health(server as LocalServer)).streams.open, { ...WAIT, message: "the stream to close" }).toBe(0);
    // Another tab (here: the page's own session, over fetch) sends while this one is hidden.
    await page.evaluate(
      (id) =>
        fetch(`/api/chats/${id}/send`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ messageId: "m_while_hidden", text: "while hidden" }),
        }),
      threadId,
    );
    await (server as LocalServer).deps.invoker.idle();
    expect(await complete(page).count()).toBe(1);

    await setHidden(page, false);
    await page.getByRole("status").getByText("Live").waitFor();
    await expect.poll(() => complete(page).count(), { ...WAIT, message: "the reply sent while hidden" }).toBe(2);
    expect(await assistantTexts(page)).toEqual([
      demoReply({ prompt: "before hiding", history: [] }),
      demoReply({ prompt: "while hidden", history: [{ role: "user", text: "" }] }),
    ]);
    expect(await page.locator('.message[data-role="user"]').count()).toBe(2);
  });

  it("retries a stopped reply: the same message id, one user message, a new reply", async () => {
    const page = await open({ DEMO_PACE_MS: "150" });
    const prompt = "stop me, then retry";
    await sendFromComposer(page, prompt);
    const threadId = await threadIdOf(page);
    await expect
      .poll(async () => ((await assistantTexts(page))[0] ?? "").length, { ...WAIT, message: "the first words" })
      .toBeGreaterThan(5);
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await page.getByRole("button", { name: "Retry", exact: true }).click();
    await complete(page).waitFor({ timeout: 30_000 });

    // The retry is the message's second attempt: the demo responder answers it as such.
    expect((await assistantTexts(page)).at(-1)).toBe(demoReply({ prompt, history: [], attempt: 1 }));
    expect(await page.locator('.message[data-role="user"]').count()).toBe(1);
    expect(await page.getByRole("button", { name: "Retry", exact: true }).count()).toBe(0);
    const events = await logEvents(server as LocalServer, threadId);
    expect(events.filter((e) => e.type === "message.created")).toHaveLength(1);
    expect(events.filter((e) => e.type === "run.started")).toHaveLength(2);
  });
});
