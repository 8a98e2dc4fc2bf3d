import type { SlowReaderResult } from "../src/testing/slow-reader-probe.ts";
import type { CostResults } from "./cost/measure.ts";
import type { CommandCounts } from "./redis-stats.ts";
import type { ServerLatency } from "./server-latency.ts";

/** The designs measured side by side. */
export type SystemId = "murmur-memory" | "murmur-redis" | "murmur-redis-cluster" | "polling" | "redis-pubsub" | "socketio" | "http-floor";

export type Layout = "spread" | "hot";

/** Redis commands over one interval: sent by the server's client (what Upstash bills) and executed by Redis (incl. inside Lua). */
export interface CommandWindow {
  readonly sent: CommandCounts;
  readonly executed: CommandCounts;
  /** Microseconds Redis spent per command over the window (a script's include the commands it ran); absent in older results. */
  readonly executedUsec?: CommandCounts;
  readonly seconds: number;
  /** CPU seconds Redis used over the window (every node of a cluster summed); absent in older results. */
  readonly redisCpuSeconds?: number;
}

export interface LatencyResult {
  readonly layout: Layout;
  readonly subscribers: number;
  readonly threads: number;
  /** Events published per second. */
  readonly rate: number;
  readonly published: number;
  /** Deliveries due: each event times the subscribers of its thread. */
  readonly expected: number;
  readonly delivered: number;
  /** Deliveries that skipped ahead of the order (some earlier event never arrived). */
  readonly gaps: number;
  readonly duplicates: number;
  readonly publishFailed: number;
  /** Webhooks unanswered in time plus events not sent because the server fell behind. */
  readonly publishTimedOut: number;
  /** Milliseconds; null when nothing arrived. */
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  readonly commands: CommandWindow | null;
  /** Murmur only: the server's own append-to-delivery histogram over the window (its `/metrics`). */
  readonly server?: ServerLatency | null;
}

export interface MemoryResult {
  /** The step: subscribers asked for. */
  readonly attempted: number;
  /** Subscribers held when RSS was taken. */
  readonly connections: number;
  readonly rssBytes: number;
  readonly baselineRssBytes: number;
  readonly heapUsedBytes: number;
}

export interface IdleResult {
  readonly connections: number;
  readonly commands: CommandWindow;
}

export interface SaturationResult {
  readonly subscribers: number;
  readonly seconds: number;
  readonly published: number;
  readonly delivered: number;
  readonly window: number;
  readonly p50: number | null;
  readonly p99: number | null;
  /** Redis commands and CPU over the window (Redis designs). */
  readonly commands?: CommandWindow | null;
  /** Webhooks of exactly `events` events each, at the same subscribers, one at a time once the last was delivered: how long each took to answer. */
  readonly batches?: BatchWebhooksResult | null;
}

export interface BatchWebhooksResult {
  readonly events: number;
  readonly webhooks: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  /** Redis commands and CPU over the batches (Redis designs). */
  readonly commands: CommandWindow | null;
}

export interface ResumeResult {
  readonly missed: number;
  /** Time from the reconnect to the last missed event; null when they did not all arrive. */
  readonly ms: number | null;
  readonly received: number;
  /** False when events arrived out of order or twice. */
  readonly inOrder: boolean;
  readonly note?: string;
}

export interface ConnectionsResult {
  readonly attempted: number;
  /** Subscribers that were ready at once, at the largest step. */
  readonly reached: number;
  /** What the server itself counted. */
  readonly serverCount: number;
  readonly openSeconds: number;
  readonly errors: readonly string[];
}

export interface SystemResult {
  readonly id: SystemId;
  readonly label: string;
  readonly latency: LatencyResult[];
  readonly memory: MemoryResult[];
  readonly connections: ConnectionsResult[];
  readonly idle: IdleResult[];
  saturation: SaturationResult | null;
  readonly resume: ResumeResult[];
  /** Commands sent per subscriber opened (from the spread ladder's largest step up to 1,000). */
  opens: { readonly subscribers: number; readonly commands: CommandWindow } | null;
  readonly notes: string[];
  readonly seconds: number;
}

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly redis: string;
  readonly fdLimit: string;
  readonly load: readonly number[];
}

export interface BenchResults {
  readonly mode: "full" | "quick";
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: MachineInfo;
  readonly plan: Readonly<Record<string, unknown>>;
  readonly systems: SystemResult[];
  /** The cloud cost model (`npm run cost`), run after the designs; absent when it could not run. */
  readonly cost?: CostResults;
  /** A client that stops reading, with `SSE_MAX_BUFFER_BYTES` and with a bound above the load (none); absent when it could not run. */
  readonly slowReader?: { readonly bounded: SlowReaderResult; readonly unbounded: SlowReaderResult };
  /** Invariant and harness problems found; the quick mode fails on any. */
  readonly problems: string[];
}
