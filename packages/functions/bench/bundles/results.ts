import type { Contributor } from "./contributors.ts";
import type { HeldStream } from "./probe-hold.ts";
import type { MemorySample } from "./probe-memory.ts";

/** One function's bundle: its size, what it is made of, and what importing it costs. */
export interface BundleResult {
  readonly name: string;
  readonly memoryMb: number;
  readonly targetKb: number | null;
  /** bundle.mjs as deployed (minified, as sst.config.ts asks). */
  readonly bytes: number;
  readonly gzipBytes: number;
  /** The same build without `nodejs.minify` (SST's behaviour when it is unset). */
  readonly unminifiedBytes: number;
  /** The largest packages in the minified bundle. */
  readonly contributors: readonly Contributor[];
  /** Each run's `await import()` of bundle.mjs in a fresh process, ms. */
  readonly importMs: readonly number[];
  /** Medians over the runs: before the import (node and the probe) and right after it. */
  readonly beforeImport: MemorySample;
  readonly afterImport: MemorySample;
}

/** The Stream function holding one stream, with the memory it is given, and what the stream carried. */
export interface HoldRun extends Omit<HeldStream, "body"> {
  readonly heartbeats: number;
  /** SSE events by name (snapshot, message.delta, ..., close). */
  readonly events: Record<string, number>;
  readonly closeReason: string | null;
  readonly memoryMb: number;
  readonly heartbeatMs: number;
  /** The memory size less the peak RSS. */
  readonly marginBytes: number;
  /** The Agent bundle's process at its highest while it wrote the reply (the demo agent), at its memory size. */
  readonly agent: { readonly memoryMb: number; readonly peak: MemorySample };
}

/** What `npm run bundles` measured, as written to bench/results/bundles.json. */
export interface BundlesResults {
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: { readonly node: string; readonly cpus: number; readonly cpuModel: string; readonly load: readonly number[] };
  readonly esbuild: string;
  readonly runs: number;
  readonly bundles: readonly BundleResult[];
  readonly hold: HoldRun | null;
  readonly problems: readonly string[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The median of each figure over several samples. */
export function medianSample(samples: readonly MemorySample[]): MemorySample {
  const of = (key: keyof MemorySample) => median(samples.map((s) => s[key]));
  return { rss: of("rss"), heapUsed: of("heapUsed"), heapTotal: of("heapTotal"), external: of("external") };
}
