import { percentileMs } from "../histogram.ts";
import type { BatchWebhooksResult, SaturationResult } from "../results.ts";
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
  const slowest = await followSlowest(ctx, window);
  let seq = 0;
  const before = await ctx.commandsNow();
  const started = Date.now();
  const end = started + plan.saturationMs;
  try {
    while (Date.now() < end) {
      const room = slowest.seq + plan.saturationWindow - (seq - 1);
      if (room <= 0) {
        await slowest.moved(100);
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
  const batches = await batchWebhooks(ctx, threadId).catch((error: unknown) => {
    ctx.problems.push(`batch webhooks: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  });
  return {
    subscribers,
    seconds,
    published: seq,
    delivered: stats.delivered,
    window: plan.saturationWindow,
    p50: percentileMs(stats.histogram, 50),
    p99: percentileMs(stats.histogram, 99),
    commands: commandWindow(before, after),
    batches,
  };
}

/**
 * How long a webhook of 100 events takes to answer with the hot thread's subscribers
 * attached: the plan's `batchWebhooks` of them, each sent once every subscriber has the last
 * (so each is timed alone, not behind a backlog). The answer comes once the batch is
 * appended (and, in-process, handed to every stream).
 */
async function batchWebhooks(ctx: RunContext, threadId: string): Promise<BatchWebhooksResult> {
  const slowest = await followSlowest(ctx, ctx.nextWindow("b"));
  const window = slowest.window;
  const times: number[] = [];
  const before = await ctx.commandsNow();
  // Polling's subscribers take up to 1.5 s to see each batch: the probe stops after 15 s whatever it reached.
  const until = Date.now() + 15_000;
  try {
    for (let i = 0; i < ctx.plan.batchWebhooks && Date.now() < until; i++) {
      const seq = i * BATCH;
      const deadline = Date.now() + 10_000;
      while (slowest.seq < seq - 1 && Date.now() < deadline) await slowest.moved(50);
      const stamp = nowMicros();
      const events = Array.from({ length: BATCH }, (_, k) => benchEvent(threadId, window, seq + k, stamp));
      const t0 = performance.now();
      const status = await ctx.publisher.post(threadId, events);
      times.push(performance.now() - t0);
      if (status !== 200) throw new Error(`webhook answered ${status}`);
    }
  } finally {
    await ctx.pool.progress(null);
  }
  const after = await ctx.commandsNow();
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number) : null;
  return {
    events: BATCH,
    webhooks: times.length,
    p50: at(50),
    p99: at(99),
    max: sorted.at(-1) ?? null,
    commands: commandWindow(before, after),
  };
}

/**
 * Starts `window` and follows the slowest subscriber's last seq in it (`seq`, -1 before
 * any); `moved` resolves when it moves, or after `ms`. The caller ends it with
 * `ctx.pool.progress(null)`.
 */
async function followSlowest(ctx: RunContext, window: string) {
  await ctx.pool.window(window);
  let wake: () => void = () => {};
  const state = {
    window,
    seq: -1,
    moved: (ms: number) => Promise.race([new Promise<void>((resolve) => (wake = resolve)), sleep(ms)]),
  };
  await ctx.pool.progress((min) => {
    state.seq = min;
    wake();
  });
  return state;
}
