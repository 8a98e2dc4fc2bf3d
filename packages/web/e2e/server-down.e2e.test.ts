import { demoReply } from "@murmur/core/agent";
import { type RedisProcess, startRedisProcess } from "@murmur/core/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalServer } from "../../functions/src/local/start.ts";
import { axeViolations } from "./axe.ts";
import { assistantTexts, fitsWidth, launchChromium, sendFromComposer, threadIdOf } from "./browser.ts";
import { startServer, WAIT } from "./server.ts";
import { changes, countRequests, firstMatch, recordStatus } from "./status-timeline.ts";

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

/** How long the test watches a stopped server. */
const DOWN_MS = 15_000;

describe("the server goes away and comes back (Redis mode, so the chat survives)", () => {
  it("backs off with jitter, says Reconnecting… then Offline with a countdown and Retry now, and is Live again by itself", async () => {
    const env = { REDIS_URL: redis.url, MURMUR_KEY_PREFIX: `e2e-down${Date.now()}` };
    const first = await startServer(env);
    servers.push(first);
    const page = await (await browser.newContext()).newPage();
    await page.goto(first.url);
    await sendFromComposer(page, "before the outage");
    const threadId = await threadIdOf(page);
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor(WAIT);
    await page.getByRole("status").getByText("Live").waitFor(WAIT);

    const port = new URL(first.url).port;
    const attempts = countRequests(page, `/api/chats/sse/${threadId}`);
    await first.close();
    const stopped = Date.now();
    const timeline = await recordStatus(page, DOWN_MS);
    const tries = attempts.times.filter((at) => at - stopped <= DOWN_MS);
    console.log(
      `server down ${DOWN_MS / 1000} s: ${tries.length} stream attempts at ${tries.map((at) => ((at - stopped) / 1000).toFixed(1)).join(", ")} s;`,
      `status: ${changes(timeline)
        .map((s) => `${(s.at / 1000).toFixed(1)} s "${s.text}"`)
        .join(" → ")}`,
    );

    // 1 s, 2 s, 4 s, 8 s... with jitter: a handful of tries, not one a second.
    expect(tries.length).toBeGreaterThanOrEqual(3);
    expect(tries.length).toBeLessThanOrEqual(6);
    const reconnecting = firstMatch(timeline, /^Reconnecting…$/);
    const offline = firstMatch(timeline, /^Offline · retrying in \d+ s$/);
    expect(reconnecting?.at).toBeLessThan(3_000);
    expect(offline?.at).toBeGreaterThan(8_000);
    expect(offline?.at).toBeLessThan(13_000);
    // The countdown counts: some offline sample shows fewer seconds than the one before it.
    const seconds = (text: string) => Number(/in (\d+) s/.exec(text)?.[1] ?? Number.NaN);
    const counted = timeline.filter((s) => /^Offline · retrying in/.test(s.text)).map((s) => seconds(s.text));
    expect(
      counted.some((n, i) => i > 0 && n < (counted[i - 1] ?? 0)),
      "a countdown",
    ).toBe(true);

    expect(await axeViolations(page), "offline, with Retry now").toEqual([]);
    await page.setViewportSize({ width: 320, height: 640 });
    expect(await fitsWidth(page), "offline with Retry now at 320 px").toBe(true);
    await page.setViewportSize({ width: 1280, height: 720 });

    // Retry now tries at once, and fails again: still offline.
    const before = attempts.times.length;
    await page.getByRole("button", { name: "Retry now" }).click();
    await expect.poll(() => attempts.times.length, { ...WAIT, message: "an attempt at once" }).toBeGreaterThan(before);
    await page
      .getByRole("status")
      .getByText(/^Offline · retrying in \d+ s$/)
      .waitFor(WAIT);

    const second = await startServer({ ...env, PORT: port });
    servers.push(second);
    const restarted = Date.now();
    // By now the back-off is at its 30 s cap (with jitter, 15-30 s): Live within it, with no reload.
    await page.getByRole("status").getByText("Live").waitFor({ timeout: 45_000 });
    console.log(`Live again ${((Date.now() - restarted) / 1000).toFixed(1)} s after the server came back`);
    attempts.stop();
    await sendFromComposer(page, "after the outage");
    await expect
      .poll(() => page.locator('.message[data-role="assistant"][data-status="complete"]').count(), { ...WAIT, message: "two replies" })
      .toBe(2);
    expect(await assistantTexts(page)).toEqual([
      demoReply({ prompt: "before the outage", history: [] }),
      demoReply({ prompt: "after the outage", history: [{ role: "user", text: "" }] }),
    ]);
    expect(new URL(page.url()).pathname).toBe(`/t/${threadId}`);
  }, 120_000);
});
