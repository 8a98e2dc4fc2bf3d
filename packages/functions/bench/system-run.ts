import { join } from "node:path";
import { createSessionTokens } from "@murmur/core/auth";
import { startRedisCluster, startRedisProcess } from "@murmur/core/testing";
import { launchChild } from "./launch.ts";
import { RunContext } from "./phases/context.ts";
import { type LadderResult, runLadder } from "./phases/ladder.ts";
import { resume } from "./phases/resume.ts";
import type { Plan } from "./plan.ts";
import { createPublisher } from "./publisher.ts";
import { RedisProbe } from "./redis-stats.ts";
import type { ResumeResult, SystemResult } from "./results.ts";
import { BENCH_OWNERS, SESSION_SECRET } from "./shared.ts";
import type { SystemSpec } from "./systems.ts";
import type { SubscriberPool } from "./workers.ts";

/** A design's own Redis: a redis-server, or the nodes of a cluster. */
interface PrivateRedis {
  /** What the server under test is started with. */
  readonly env: Record<string, string>;
  /** Every node, for INFO commandstats. */
  readonly urls: readonly string[];
  stop(): Promise<void>;
}

/** Private redis-servers running now: they are not our children's children, so a hard stop must end them. */
const running = new Set<PrivateRedis>();

/** Starts the private Redis a design asks for: persistence off, so no design pays for fsync. */
async function startPrivateRedis(kind: SystemSpec["redis"]): Promise<PrivateRedis | null> {
  if (kind === "server") {
    const redis = await startRedisProcess({ persistence: "none" });
    return { env: { BENCH_REDIS_URL: redis.url }, urls: [redis.url], stop: () => redis.stop() };
  }
  if (kind === "cluster") {
    const cluster = await startRedisCluster({ persistence: "none" });
    return { env: { BENCH_REDIS_CLUSTER_NODES: cluster.seeds }, urls: cluster.nodes.map((node) => node.url), stop: () => cluster.stop() };
  }
  return null;
}

/** Stops every private redis-server still running (for a hard stop of the run). */
export async function stopRedisProcesses(): Promise<void> {
  await Promise.all([...running].map((redis) => redis.stop()));
}

interface Setup {
  readonly spec: SystemSpec;
  readonly plan: Plan;
  readonly pool: SubscriberPool;
  readonly deadline: number;
  readonly problems: string[];
  readonly notes: string[];
  readonly redis: PrivateRedis | null;
  readonly probe: RedisProbe | null;
  readonly profileDir?: string;
}

/**
 * Measures one design against its own private redis-server or Redis Cluster (persistence
 * off, so no design pays for fsync). Resume runs first, on a server of its own (it is quick, and
 * its events should not weigh on the memory figures); then a fresh server gets the
 * spread ladder and the hot ladder with saturation. Whatever does not fit before
 * `deadline` is skipped and noted; a failure ends this design's phases, not the run.
 */
export async function runSystem(
  spec: SystemSpec,
  plan: Plan,
  pool: SubscriberPool,
  deadline: number,
  problems: string[],
  options: { profileDir?: string } = {},
): Promise<SystemResult> {
  const started = Date.now();
  const notes: string[] = [];
  const result: SystemResult = {
    id: spec.id,
    label: spec.label,
    latency: [],
    memory: [],
    connections: [],
    idle: [],
    saturation: null,
    resume: [],
    opens: null,
    notes,
    seconds: 0,
  };
  let redis: PrivateRedis | null = null;
  let probe: RedisProbe | null = null;
  try {
    redis = await startPrivateRedis(spec.redis);
    if (redis) {
      running.add(redis);
      probe = new RedisProbe(redis.urls);
    }
    const setup: Setup = { spec, plan, pool, deadline, problems, notes, redis, probe, profileDir: options.profileDir };
    await withServer(setup, "resume", async (ctx) => {
      for (const k of plan.resumeK) {
        const r = await resume(ctx, k);
        result.resume.push(r);
        ctx.log(`resume ${k}: ${r.ms?.toFixed(1) ?? r.note} ms`);
        checkResume(spec, r, problems);
      }
    });
    await withServer(setup, "ladders", async (ctx) => {
      const baseline = (await ctx.serverStats(true)).rss;
      add(result, await runLadder(ctx, "spread", baseline));
      add(result, await runLadder(ctx, "hot", baseline));
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    notes.push(`stopped early: ${message}`);
    problems.push(`${spec.label}: ${message}`);
  } finally {
    probe?.close();
    if (redis) {
      running.delete(redis);
      await redis.stop();
    }
  }
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

/** Starts the design's server in its own process, warms it up, runs `body`, and stops it. */
async function withServer(setup: Setup, name: string, body: (ctx: RunContext) => Promise<void>): Promise<void> {
  const { spec, plan, redis, profileDir } = setup;
  const server = await launchChild(
    `${spec.id} (${name})`,
    spec.entry,
    { BENCH_HEARTBEAT_MS: String(plan.heartbeatMs), ...redis?.env },
    // One folder per design: tsx's loader thread writes a profile of its own beside the main thread's.
    profileDir ? ["--cpu-prof", `--cpu-prof-dir=${join(profileDir, spec.id, name)}`] : [],
  );
  const sessions = createSessionTokens(SESSION_SECRET, 3600);
  const tokens = await Promise.all(BENCH_OWNERS.map(async (owner) => (await sessions.issue(owner)).token));
  const publisher = createPublisher(String(server.ready.url));
  const ctx = new RunContext(spec, plan, setup.pool, server, publisher, setup.probe, tokens, setup.deadline, setup.notes, setup.problems);
  try {
    await warmUp(ctx);
    await body(ctx);
  } finally {
    publisher.close();
    await setup.pool.closeAll().catch(() => {});
    await server.stop();
  }
}

/** A few subscribers and events first, so the numbers are not of cold code; nothing is recorded. */
async function warmUp(ctx: RunContext): Promise<void> {
  const threads = await ctx.threads(2);
  const warm = [...threads, ...threads, ...threads];
  await ctx.pool.open(ctx.spec.protocol, ctx.origin, warm.map(ctx.tokenFor), warm, Date.now() + 10_000);
  const window = ctx.nextWindow("warm");
  await ctx.pool.window(window);
  for (let seq = 0; seq < 30; seq++) await Promise.all(threads.map((t) => ctx.publisher.postStamped(t, window, seq)));
  await ctx.pool.closeAll();
  ctx.log("warmed up");
}

function add(result: SystemResult, ladder: LadderResult): void {
  result.latency.push(...ladder.latency);
  result.memory.push(...ladder.memory);
  result.connections.push(...ladder.connections);
  result.idle.push(...ladder.idle);
  result.saturation ??= ladder.saturation;
  result.opens ??= ladder.opens;
}

function checkResume(spec: SystemSpec, r: ResumeResult, problems: string[]): void {
  if (!spec.lossless) return;
  if (r.ms === null || !r.inOrder)
    problems.push(`${spec.label}: resume of ${r.missed}: ${r.received} received${r.inOrder ? "" : ", out of order"} (I1)`);
}
