import { demoReply } from "@murmur/core/agent";
import { describe, expect, it } from "vitest";
import { threadIdOf } from "./browser.ts";
import { logEvents, WAIT } from "./server.ts";
import { useChromiumAndServer } from "./suite.ts";

const suite = useChromiumAndServer();

/** A short lease, so the test takes seconds: the least the configuration takes. */
const LEASE_MS = 3000;
/** The watchdog's margin (create-reply-watchdog.ts) and some slack for the page and a loaded machine. */
const WITHIN_MS = LEASE_MS + 2000 + 3000;

describe("a reply whose runner vanished (the client's watchdog)", () => {
  it("ends as failed (abandoned) with Retry in the open tab within the lease and a margin, with nobody doing anything", async () => {
    const server = await suite.startServer({ RUN_LEASE_MS: String(LEASE_MS) });
    const page = await (await suite.browser().newContext()).newPage();
    await page.goto(server.url);
    await page.getByRole("button", { name: "New chat" }).click();
    const threadId = await threadIdOf(page);
    await page.getByRole("status").getByText("Live").waitFor(WAIT);

    // A run that started and wrote a word, then its writer went away: nothing renews its lease.
    const run = { threadId, runId: "r_lost", messageId: "a_lost" };
    const started = Date.now();
    await server.deps.ingest(threadId, [
      { id: "lost:m", threadId, at: started, type: "message.created", messageId: "m_lost", role: "user", text: "are you there?" },
      { ...run, id: "lost:s", at: started, type: "run.started", replyTo: "m_lost", agent: "assistant" },
      { ...run, id: "lost:d0", at: started, type: "message.delta", seq: 0, text: "Half a " },
    ]);
    const reply = page.locator('.message[data-role="assistant"]');
    await reply.and(page.locator('[data-status="streaming"]')).waitFor(WAIT);
    await page.getByRole("button", { name: "Stop" }).waitFor(WAIT);

    await reply.and(page.locator('[data-status="failed"]')).waitFor({ timeout: WITHIN_MS });
    const ended = Date.now() - started;
    console.log(`the stalled reply ended ${(ended / 1000).toFixed(1)} s after its last delta (lease ${LEASE_MS / 1000} s)`);
    expect(ended).toBeGreaterThanOrEqual(LEASE_MS);
    const failed = (await logEvents(server, threadId)).filter((e) => e.type === "message.failed");
    expect(failed).toEqual([expect.objectContaining({ messageId: "a_lost", kind: "abandoned", retryable: true })]);
    await expect(page.locator('form.composer button[type="submit"]').textContent()).resolves.toBe("Send");
    expect(await page.getByRole("button", { name: "Stop" }).count()).toBe(0);

    // Retry already exists for retryable failures: it writes the reply afresh.
    await page.getByRole("button", { name: "Retry", exact: true }).click();
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor(WAIT);
    expect((await page.locator('.message[data-role="assistant"] .markdown').allTextContents()).at(-1)).toBe(
      demoReply({ prompt: "are you there?", history: [], attempt: 1 }),
    );
  });
});
