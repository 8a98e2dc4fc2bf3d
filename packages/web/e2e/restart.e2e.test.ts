import { demoReply } from "@murmur/core/agent";
import { type RedisProcess, startRedisProcess } from "@murmur/core/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalServer } from "../../functions/src/local/start.ts";
import { assistantTexts, launchChromium, sendFromComposer, threadIdOf } from "./browser.ts";
import { startServer, WAIT } from "./server.ts";

let browser: Browser;
let redis: RedisProcess;
const servers: LocalServer[] = [];
beforeAll(async () => {
  [browser, redis] = await Promise.all([launchChromium(), startRedisProcess()]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
  await browser?.close();
  await redis?.stop();
});

describe("a server restart in the middle of a reply (Redis mode)", () => {
  it('ends the reply it was writing retryably, shows "reconnecting", then Retry on the next server writes the whole reply once', async () => {
    const env = { REDIS_URL: redis.url, MURMUR_KEY_PREFIX: `e2e${Date.now()}`, DEMO_PACE_MS: "30", SSE_RETRY_MS: "250" };
    const first = await startServer(env);
    servers.push(first);
    const page = await (await browser.newContext()).newPage();
    await page.goto(first.url);
    const prompt = "keep going while the server restarts";
    await sendFromComposer(page, prompt);
    const threadId = await threadIdOf(page);
    const whole = demoReply({ prompt, history: [] });
    await expect
      .poll(async () => ((await assistantTexts(page))[0] ?? "").length, { ...WAIT, message: "the first words" })
      .toBeGreaterThan(20);

    // Stop the server (SIGTERM's path): it ends the reply it was writing with a retryable
    // failure, which the open stream carries, then closes streams with close and retry.
    const port = new URL(first.url).port;
    await first.close();
    await page.locator('.message[data-role="assistant"][data-status="failed"]').waitFor(WAIT);
    await page
      .getByRole("status")
      .getByText(/Reconnecting/)
      .waitFor();
    const partial = (await assistantTexts(page))[0] ?? "";
    expect(partial.length).toBeLessThan(whole.length);
    expect(whole.startsWith(partial)).toBe(true);

    const second = await startServer({ ...env, PORT: port });
    servers.push(second);
    await page.getByRole("status").getByText("Live").waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Retry", exact: true }).click();
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor(WAIT);
    expect(await assistantTexts(page)).toEqual([partial, demoReply({ prompt, history: [], attempt: 1 })]);
    expect(await page.locator('.message[data-role="user"]').count()).toBe(1);
    expect(new URL(page.url()).pathname).toBe(`/t/${threadId}`);
  });
});
