import type { SystemId } from "./results.ts";

/** What one run measures, and how long it may take. */
export interface Plan {
  readonly mode: "full" | "quick";
  /** The whole run, start to report; phases that would not fit are skipped and said so. */
  readonly budgetMs: number;
  /** Time kept for each design still to come when the ones before it run long. */
  readonly reserveMs: number;
  /** If the run is still going this long after it started, it writes what it has and exits. */
  readonly hardStopMs: number;
  readonly systems: readonly SystemId[];
  /** Subscriber processes. */
  readonly workers: number;
  /** Subscriber counts with a latency window, in both layouts. */
  readonly latencyAt: readonly number[];
  /** Spread-layout counts with an idle window (Redis designs). */
  readonly idleAt: readonly number[];
  readonly idleMs: number;
  /** Spread-layout counts where server RSS is taken. */
  readonly memoryAt: readonly number[];
  /**
   * A last spread step, connections and RSS only, for designs that ask for it: as many as
   * one process can hold here (the container's descriptor limit is 20,000); 0: none.
   */
  readonly ceilingAt: number;
  /** Longest one ladder step may spend opening subscribers. */
  readonly openBudgetMs: number;
  /** Pause after opening, before measuring. */
  readonly settleMs: number;
  readonly publishMs: number;
  /** Longest wait for late deliveries after publishing stops (polling needs more than its 1.5 s). */
  readonly drainMs: number;
  /** Hot-layout subscribers at which saturation is measured. */
  readonly saturationAt: number;
  readonly saturationMs: number;
  /** Events published ahead of the slowest subscriber during saturation. */
  readonly saturationWindow: number;
  /** Webhooks of 100 events timed one at a time after saturation, at the same subscribers. */
  readonly batchWebhooks: number;
  readonly resumeK: readonly number[];
  /** Longest wait for the K missed events after a reconnect. */
  readonly resumeTimeoutMs: number;
  readonly heartbeatMs: number;
}

const SYSTEMS: readonly SystemId[] = [
  "murmur-memory",
  "murmur-redis",
  "murmur-redis-cluster",
  "redis-pubsub",
  "http-floor",
  "socketio",
  "polling",
];

/** Events a second for `n` subscribers one per thread: 20 per thread for few, 200 in all for many. */
export function spreadRate(n: number): number {
  return Math.min(200, 20 * n);
}

/**
 * Events a second on one thread with `n` subscribers: 20 (one reply streaming at the
 * 50 ms delta window), fewer when that would offer more than 20,000 deliveries a second.
 */
export function hotRate(n: number): number {
  return Math.min(20, 20_000 / n);
}

export const FULL: Plan = {
  mode: "full",
  budgetMs: 540_000,
  reserveMs: 85_000,
  // The designs' budget, then the cost model's run (about 5 minutes: five replies in real time, two variants at once).
  hardStopMs: 960_000,
  systems: SYSTEMS,
  workers: 2,
  latencyAt: [1, 100, 1000, 10_000],
  idleAt: [10, 1000],
  idleMs: 12_000,
  memoryAt: [1000, 10_000],
  ceilingAt: 19_000,
  openBudgetMs: 25_000,
  settleMs: 500,
  publishMs: 3000,
  drainMs: 4000,
  saturationAt: 1000,
  saturationMs: 4000,
  saturationWindow: 100,
  batchWebhooks: 40,
  resumeK: [10, 1000, 10_000],
  resumeTimeoutMs: 30_000,
  heartbeatMs: 5000,
};

export const QUICK: Plan = {
  mode: "quick",
  // About 7.5 s per design (seven), then the cost model's quick session: 60-70 s in all here, within the hard stop.
  budgetMs: 52_000,
  reserveMs: 6000,
  hardStopMs: 180_000,
  systems: SYSTEMS,
  workers: 2,
  latencyAt: [20],
  idleAt: [5, 20],
  idleMs: 600,
  memoryAt: [20],
  ceilingAt: 0,
  openBudgetMs: 5000,
  settleMs: 200,
  publishMs: 500,
  drainMs: 2500,
  saturationAt: 20,
  saturationMs: 700,
  saturationWindow: 20,
  batchWebhooks: 5,
  resumeK: [10, 100],
  resumeTimeoutMs: 5000,
  heartbeatMs: 500,
};
