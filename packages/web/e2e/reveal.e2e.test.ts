import { describe, expect, it } from "vitest";
import { sendFromComposer, threadIdOf } from "./browser.ts";
import { logEvents } from "./server.ts";
import { useChromiumAndServer } from "./suite.ts";

// Replies arrive in delta batches up to DELTA_WINDOW_MS apart (the cloud's default is
// 500 ms); the page reveals each batch at a steady pace instead of a batch at a time.

const suite = useChromiumAndServer();

describe("the reveal of a streaming reply in Chromium", () => {
  it("shows 400 ms delta batches a little per animation frame, never a batch at once", async () => {
    const server = await suite.startServer({ DELTA_WINDOW_MS: "400", DEMO_PACE_MS: "40" });
    const page = await (await suite.browser().newContext()).newPage();
    await page.goto(server.url);
    // The shown length of the newest reply at every animation frame, while it streams.
    await page.evaluate(() => {
      const frames: [number, number][] = [];
      (window as unknown as { __frames: typeof frames }).__frames = frames;
      const sample = (now: number) => {
        const reply = [...document.querySelectorAll<HTMLElement>('.message[data-role="assistant"]')].at(-1);
        if (reply?.dataset.status === "streaming") frames.push([now, reply.querySelector(".markdown")?.textContent?.length ?? 0]);
        requestAnimationFrame(sample);
      };
      requestAnimationFrame(sample);
    });
    await sendFromComposer(page, "reveal this reply at a steady pace, please");
    const threadId = await threadIdOf(page);
    await page.locator('.message[data-role="assistant"][data-status="complete"]').waitFor();

    const frames = (await page.evaluate(() => (window as unknown as { __frames: [number, number][] }).__frames)).filter(([, n]) => n > 0);
    const batches = (await logEvents(server, threadId)).flatMap((e) => (e.type === "message.delta" ? [e.text.length] : []));
    // The first batch goes out early (a fast first window) and is small; the rest are the window's.
    const later = batches.slice(1);
    const meanBatch = later.reduce((a, b) => a + b, 0) / later.length;
    let biggest = 0;
    let stall = 0;
    let steadyStall = 0; // after the first second: once the reveal knows the batches' pace
    let still = 0;
    for (let i = 1; i < frames.length; i++) {
      const [t, n] = frames[i] as [number, number];
      const [t0, n0] = frames[i - 1] as [number, number];
      biggest = Math.max(biggest, n - n0);
      still = n === n0 ? still + (t - t0) : 0;
      stall = Math.max(stall, still);
      if (t - (frames[0]?.[0] ?? 0) > 1000) steadyStall = Math.max(steadyStall, still);
    }
    console.log(
      `reveal: ${batches.length} batches (mean ${meanBatch.toFixed(1)} chars after the first), ${frames.length} frames; ` +
        `largest one-frame step ${biggest} chars (${((100 * biggest) / meanBatch).toFixed(0)}% of a batch), longest pause ${stall.toFixed(0)} ms (${steadyStall.toFixed(0)} ms after the first second)`,
    );
    expect(later.length).toBeGreaterThanOrEqual(4);
    expect(frames.length).toBeGreaterThan(later.length * 5);
    // Without the reveal a frame would show a whole batch; with it, a small part of one.
    expect(biggest).toBeLessThanOrEqual(meanBatch * 0.35);
  });
});
