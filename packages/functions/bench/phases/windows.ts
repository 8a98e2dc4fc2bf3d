import { percentileMs } from "../histogram.ts";
import { hotRate, spreadRate } from "../plan.ts";
import { publishAtRate } from "../publisher.ts";
import type { IdleResult, LatencyResult, Layout } from "../results.ts";
import { P99_TOLERANCE, scrapeDeliveryBuckets, serverLatency } from "../server-latency.ts";
import { sleep } from "../shared.ts";
import type { WindowStats } from "../workers.ts";
import { commandWindow, type RunContext } from "./context.ts";

/**
 * One latency window: publish at the layout's fixed rate for `publishMs`, then wait (at
 * most `drainMs`) until every due delivery arrived. `subscribers` maps each thread to its
 * ready subscribers, so the deliveries due are known exactly.
 */
export async function latencyWindow(ctx: RunContext, layout: Layout, subscribers: ReadonlyMap<string, number>): Promise<LatencyResult> {
  const n = [...subscribers.values()].reduce((a, b) => a + b, 0);
  const rate = layout === "spread" ? spreadRate(n) : hotRate(n);
  const window = ctx.nextWindow();
  await ctx.pool.window(window);
  const before = await ctx.commandsNow();
  const metricsUrl = ctx.metricsUrl;
  const bucketsBefore = metricsUrl ? await scrapeDeliveryBuckets(metricsUrl) : null;
  const run = await publishAtRate(ctx.publisher, { window, threads: [...subscribers.keys()], rate, durationMs: ctx.plan.publishMs });
  let expected = 0;
  for (const [threadId, events] of run.perThread) expected += events * (subscribers.get(threadId) ?? 0);
  if (run.timedOut > 0 || run.skipped > 0) {
    ctx.notes.push(
      `${layout} ${n}: the server fell behind: ${run.timedOut} webhooks unanswered within 10 s, ${run.skipped} events not sent`,
    );
  }
  const stats = await drain(ctx, expected);
  const after = await ctx.commandsNow();
  const p99 = percentileMs(stats.histogram, 99);
  const server =
    metricsUrl && bucketsBefore
      ? serverLatency(bucketsBefore, await scrapeDeliveryBuckets(metricsUrl), p99, percentileMs(run.answered, 99))
      : null;
  if (server) {
    const f = (x: number | null) => (x === null ? "-" : x.toFixed(2));
    console.log(
      `    ${ctx.spec.id} ${layout} ${n}: p99 client ${f(p99)} ms, server ${f(server.p99)} ms (/metrics, ${server.count} writes), webhook ${f(
        server.webhookP99,
      )} ms: ${server.agrees ? "agree" : "DISAGREE"} (${P99_TOLERANCE.text})`,
    );
    if (server.agrees === false)
      ctx.notes.push(`${layout} ${n}: server p99 ${f(server.p99)} ms against client ${f(p99)} ms, outside ${P99_TOLERANCE.text}`);
  }
  const result: LatencyResult = {
    layout,
    subscribers: n,
    threads: subscribers.size,
    rate,
    published: run.published,
    expected,
    delivered: stats.delivered,
    gaps: stats.missing,
    duplicates: stats.duplicates,
    publishFailed: run.failed,
    publishTimedOut: run.timedOut + run.skipped,
    p50: percentileMs(stats.histogram, 50),
    p90: percentileMs(stats.histogram, 90),
    p99,
    max: percentileMs(stats.histogram, 100),
    commands: commandWindow(before, after),
    server,
  };
  checkDelivery(ctx, `${layout} ${n}`, result);
  return result;
}

/** Waits until `expected` deliveries arrived or `drainMs` passed; the stats at that point. */
export async function drain(ctx: RunContext, expected: number): Promise<WindowStats> {
  const until = Date.now() + ctx.plan.drainMs;
  let stats = await ctx.pool.stats();
  while (stats.delivered + stats.duplicates < expected && Date.now() < until) {
    await sleep(50);
    stats = await ctx.pool.stats();
  }
  return stats;
}

/** Records a broken promise: for designs that promise exactly once in order, and for any publish failure. */
function checkDelivery(ctx: RunContext, where: string, r: LatencyResult): void {
  const what = `${ctx.spec.label}, ${where}`;
  if (r.publishFailed > 0) ctx.problems.push(`${what}: ${r.publishFailed} webhooks failed`);
  if (!ctx.spec.lossless) return;
  // An unanswered webhook may land late or never: order cannot be judged then (noted above).
  if ((r.duplicates > 0 || r.gaps > 0) && r.publishTimedOut === 0)
    ctx.problems.push(`${what}: ${r.duplicates} duplicates, ${r.gaps} gaps (I1)`);
  if (r.delivered < r.expected) {
    ctx.notes.push(
      `${where}: ${r.expected - r.delivered} of ${r.expected} deliveries not in within ${ctx.plan.drainMs} ms of the last publish`,
    );
  }
}

/** Redis commands while `connections` subscribers are open and nothing is published. */
export async function idleWindow(ctx: RunContext, connections: number): Promise<IdleResult | null> {
  const before = await ctx.commandsNow();
  await sleep(ctx.plan.idleMs);
  const commands = commandWindow(before, await ctx.commandsNow());
  return commands && { connections, commands };
}
