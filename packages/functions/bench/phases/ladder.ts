import type { ConnectionsResult, IdleResult, LatencyResult, Layout, MemoryResult, SaturationResult } from "../results.ts";
import { sleep } from "../shared.ts";
import { type CommandPoint, commandWindow, type RunContext } from "./context.ts";
import { saturate } from "./saturation.ts";
import { idleWindow, latencyWindow } from "./windows.ts";

/** What one ladder measured. */
export interface LadderResult {
  latency: LatencyResult[];
  memory: MemoryResult[];
  connections: ConnectionsResult[];
  idle: IdleResult[];
  saturation: SaturationResult | null;
  opens: { subscribers: number; commands: NonNullable<ReturnType<typeof commandWindow>> } | null;
}

/**
 * Opens subscribers step by step (keeping those already open) and measures at each
 * step. Spread: one thread per subscriber; at its steps also idle commands and RSS.
 * Hot: every subscriber on one thread; at its saturation step also saturation.
 */
export async function runLadder(ctx: RunContext, layout: Layout, baselineRss: number): Promise<LadderResult> {
  const { plan } = ctx;
  const out: LadderResult = { latency: [], memory: [], connections: [], idle: [], saturation: null, opens: null };
  const spread = layout === "spread";
  const memoryAt = spread && ctx.spec.ceiling && plan.ceilingAt > 0 ? [...plan.memoryAt, plan.ceilingAt] : plan.memoryAt;
  const steps = [...new Set([...plan.latencyAt, ...(spread ? [...plan.idleAt, ...memoryAt] : [plan.saturationAt])])].sort((a, b) => a - b);
  const hot = spread ? null : ((await ctx.threads(1))[0] as string);
  const subscribers = new Map<string, number>();
  let open = 0;
  try {
    for (const n of steps) {
      if (ctx.timeLeft() < plan.publishMs + plan.settleMs + 1000) {
        ctx.notes.push(`${layout}: stopped before ${n} subscribers (time budget)`);
        break;
      }
      const add = n - open;
      const threads = spread ? await ctx.threads(add) : Array.from({ length: add }, () => hot as string);
      const before = await ctx.commandsNow();
      const started = Date.now();
      // Leave room for the step's measurements after opening.
      const openUntil = Math.min(ctx.deadline - plan.publishMs - plan.drainMs - plan.idleMs, started + plan.openBudgetMs);
      const opened = await ctx.pool.open(ctx.spec.protocol, ctx.origin, threads.map(ctx.tokenFor), threads, openUntil);
      const openSeconds = (Date.now() - started) / 1000;
      ctx.log(`${layout} ${n}: ${opened.opened.length} of ${add} opened in ${openSeconds} s`);
      for (const threadId of opened.opened) subscribers.set(threadId, (subscribers.get(threadId) ?? 0) + 1);
      open += opened.opened.length;
      if (spread && n <= 1000 && opened.opened.length > 0) out.opens = await opensWindow(ctx, before, opened.opened.length);
      await sleep(plan.settleMs);
      const stats = await ctx.serverStats(spread && memoryAt.includes(n));
      out.connections.push({ attempted: n, reached: open, serverCount: stats.connections, openSeconds, errors: opened.errors });
      if (opened.failed > 0 || open < n) ctx.notes.push(`${layout} ${n}: ${open} of ${n} subscribers ready (${opened.errors.join("; ")})`);
      if (open === 0) break;
      if (spread && memoryAt.includes(n)) {
        out.memory.push({
          attempted: n,
          connections: open,
          rssBytes: stats.rss,
          baselineRssBytes: baselineRss,
          heapUsedBytes: stats.heapUsed,
        });
      }
      if (spread && plan.idleAt.includes(n) && ctx.probe) {
        const idle = await idleWindow(ctx, open);
        if (idle) out.idle.push(idle);
      }
      if (plan.latencyAt.includes(n)) {
        const r = await latencyWindow(ctx, layout, subscribers);
        out.latency.push(r);
        ctx.log(`${layout} ${n}: ${r.delivered} of ${r.expected} delivered, p50 ${r.p50?.toFixed(2)} ms, p99 ${r.p99?.toFixed(2)} ms`);
      }
      if (!spread && n === plan.saturationAt) out.saturation = await saturate(ctx, hot as string, open);
      if (open < n) break;
    }
  } finally {
    await closeAll(ctx);
    ctx.log(`${layout}: closed`);
  }
  return out;
}

async function opensWindow(ctx: RunContext, before: CommandPoint | null, subscribers: number) {
  const commands = commandWindow(before, await ctx.commandsNow());
  return commands && { subscribers, commands };
}

/** Closes every subscriber and waits (briefly) for the server to let go of them. */
async function closeAll(ctx: RunContext): Promise<void> {
  await ctx.pool.closeAll();
  const until = Date.now() + 5000;
  while (Date.now() < until && (await ctx.serverStats().catch(() => ({ connections: 0 }))).connections > 0) await sleep(50);
}
