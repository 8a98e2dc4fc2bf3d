import { percentileMs } from "../histogram.ts";
import type { SaturationResult } from "../results.ts";
import { benchEvent, nowMicros, sleep } from "../shared.ts";
import { commandWindow, type RunContext } from "./context.ts";
import { drain } from "./windows.ts";

/** Most events one webhook carries during saturation (the webhook accepts up to 500). */
const BATCH = 100;

/**
 * Delivered events a second at saturation: on one hot thread, the publisher keeps
 * `saturationWindow` events ahead of the slowest subscriber (closed loop, so no design
 * is buried under a backlog it cannot drain) for `saturationMs`, each webhook carrying
 * all the room there is (up to 100 events). Deliveries are counted up to the end of
 * the window.
 */
export async function saturate(ctx: RunContext, threadId: string, subscribers: number): Promise<SaturationResult> {
  const { plan } = ctx;
  const window = ctx.nextWindow("s");
  await ctx.pool.window(window);
  let slowest = -1;
  let wake: () => void = () => {};
  await ctx.pool.progress((min) => {
    slowest = min;
    wake();
  });
  let seq = 0;
  const before = await ctx.commandsNow();
  const started = Date.now();
  const end = started + plan.saturationMs;
  try {
    while (Date.now() < end) {
      const room = slowest + plan.saturationWindow - (seq - 1);
      if (room <= 0) {
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), sleep(100)]);
        continue;
      }
      const count = Math.min(room, BATCH);
      const stamp = nowMicros();
      const events = Array.from({ length: count }, (_, i) => benchEvent(threadId, window, seq + i, stamp));
      seq += count;
      const status = await ctx.publisher.post(threadId, events);
      if (status !== 200) throw new Error(`saturation: webhook answered ${status}`);
    }
  } finally {
    await ctx.pool.progress(null);
  }
  const seconds = (Date.now() - started) / 1000;
  const [stats, after] = await Promise.all([ctx.pool.stats(), ctx.commandsNow()]);
  await drain(ctx, seq * subscribers);
  return {
    subscribers,
    seconds,
    published: seq,
    delivered: stats.delivered,
    window: plan.saturationWindow,
    p50: percentileMs(stats.histogram, 50),
    p99: percentileMs(stats.histogram, 99),
    commands: commandWindow(before, after),
  };
}
