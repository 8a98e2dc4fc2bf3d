import type { BenchChild } from "../launch.ts";
import type { Plan } from "../plan.ts";
import type { Publisher } from "../publisher.ts";
import { type CommandCounts, diffCounts, type RedisProbe } from "../redis-stats.ts";
import type { CommandWindow } from "../results.ts";
import { BENCH_OWNERS } from "../shared.ts";
import type { SystemSpec } from "../systems.ts";
import type { SubscriberPool } from "../workers.ts";

/** What the server under test reports about itself. */
export interface ServerStats {
  readonly rss: number;
  readonly heapUsed: number;
  readonly connections: number;
  /** Redis commands its clients sent so far, by name. */
  readonly commands: CommandCounts;
}

/** A point in time for command counting: sent by the server (client side) and executed by Redis. */
export interface CommandPoint {
  readonly at: number;
  readonly sent: CommandCounts;
  readonly executed: CommandCounts;
  readonly executedUsec: CommandCounts;
  readonly redisCpuSeconds: number;
}

/** Everything a phase needs to measure one design. */
export class RunContext {
  private windows = 0;
  private readonly started = Date.now();
  /** Thread -> its owner's session token. */
  private readonly tokens = new Map<string, string>();
  /** The owner of the next thread. */
  private nextOwner = 0;

  constructor(
    readonly spec: SystemSpec,
    readonly plan: Plan,
    readonly pool: SubscriberPool,
    readonly server: BenchChild,
    readonly publisher: Publisher,
    readonly probe: RedisProbe | null,
    /** The session token of each of BENCH_OWNERS, in order. */
    private readonly ownerTokens: readonly string[],
    /** Epoch ms by which this design's phases must be done. */
    readonly deadline: number,
    readonly notes: string[],
    /** Invariant violations and harness failures, for the whole run. */
    readonly problems: string[],
  ) {}

  get origin(): string {
    return String(this.server.ready.url);
  }

  /** The server's Prometheus metrics, when it has them (Murmur). */
  get metricsUrl(): string | null {
    return typeof this.server.ready.metricsUrl === "string" ? this.server.ready.metricsUrl : null;
  }

  /** With `--verbose`: one line of progress, with seconds since this server started. */
  log(message: string): void {
    if (process.argv.includes("--verbose"))
      console.log(`    ${((Date.now() - this.started) / 1000).toFixed(1)} s ${this.spec.id}: ${message}`);
  }

  timeLeft(): number {
    return this.deadline - Date.now();
  }

  /** A fresh window id: the message id of the events it publishes. */
  nextWindow(prefix = "w"): string {
    return `${prefix}${++this.windows}`;
  }

  /** `count` new threads, their owners taking turns (see BENCH_OWNERS); `tokenFor` gives each one's token. */
  async threads(count: number): Promise<string[]> {
    const owners = Math.min(count, BENCH_OWNERS.length);
    const first = this.nextOwner;
    this.nextOwner = (first + count) % BENCH_OWNERS.length;
    // Owner first + k gets threads k, k + owners, k + 2 * owners, ... of the answer.
    const parts = await Promise.all(
      Array.from({ length: owners }, (_, k) => {
        const index = (first + k) % BENCH_OWNERS.length;
        const share = Math.floor((count - k - 1) / owners) + 1;
        return this.server.request<string[]>("threads", { owner: BENCH_OWNERS[index], count: share }, 120_000).then((ids) => {
          for (const id of ids) this.tokens.set(id, this.ownerTokens[index] as string);
          return ids;
        });
      }),
    );
    return Array.from({ length: count }, (_, i) => parts[i % owners]?.[Math.floor(i / owners)] as string);
  }

  /** The session token of `threadId`'s owner. */
  readonly tokenFor = (threadId: string): string => {
    const token = this.tokens.get(threadId);
    if (!token) throw new Error(`no token for thread ${threadId}: not made by threads()`);
    return token;
  };

  serverStats(collect = false): Promise<ServerStats> {
    return this.server.request<ServerStats>("stats", { collect }, 30_000);
  }

  /** Null for designs without Redis. */
  async commandsNow(): Promise<CommandPoint | null> {
    if (!this.probe) return null;
    const [stats, executed, executedUsec, redisCpuSeconds] = await Promise.all([
      this.serverStats(),
      this.probe.commandStats(),
      this.probe.commandUsec(),
      this.probe.cpuSeconds(),
    ]);
    return { at: Date.now(), sent: stats.commands, executed, executedUsec, redisCpuSeconds };
  }
}

export function commandWindow(before: CommandPoint | null, after: CommandPoint | null): CommandWindow | null {
  if (!before || !after) return null;
  return {
    sent: diffCounts(before.sent, after.sent),
    executed: diffCounts(before.executed, after.executed),
    executedUsec: diffCounts(before.executedUsec, after.executedUsec),
    seconds: (after.at - before.at) / 1000,
    redisCpuSeconds: after.redisCpuSeconds - before.redisCpuSeconds,
  };
}
