import type {
  CounterDef,
  CounterSeries,
  GaugeDef,
  GaugeSeries,
  HistogramDef,
  HistogramSeries,
  LabelValues,
  MetricDef,
  Metrics,
} from "./metrics.ts";

/** A counter's or gauge's series as a sink reads it. */
export interface ScalarValue {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A histogram's series as a sink reads it. */
export interface HistogramValue {
  readonly labels: Readonly<Record<string, string>>;
  /** Observations per bucket (not cumulative), one per bound and a last one past them (+Inf). */
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
  /** The largest observation (0 when none). */
  readonly max: number;
}

/**
 * Metrics kept in this process, for a sink to read: the Prometheus sink renders them at
 * each scrape, the EMF sink writes them as log lines at each flush. Recording is a few
 * arithmetic operations on a series object the caller holds (no hashing, no allocation),
 * so a counter per frame on a held stream's path costs next to nothing.
 */
export interface MetricStore extends Metrics {
  /** The series of a counter or gauge recorded so far, in the order first recorded. */
  read(def: CounterDef | GaugeDef): readonly ScalarValue[];
  /** The series of a histogram recorded so far, in the order first recorded. */
  readHistogram(def: HistogramDef): readonly HistogramValue[];
  /** Definitions with at least one series, in the order first recorded. */
  defined(): readonly MetricDef[];
  /** Zeroes counters and histograms (gauges keep their level): for a sink that sends what happened since its last flush. */
  resetCounts(): void;
}

class Scalar implements CounterSeries, GaugeSeries, ScalarValue {
  value = 0;
  constructor(readonly labels: Readonly<Record<string, string>>) {}
  inc(value = 1): void {
    this.value += value;
  }
  dec(value = 1): void {
    this.value -= value;
  }
  set(value: number): void {
    this.value = value;
  }
}

class Buckets implements HistogramSeries, HistogramValue {
  readonly counts: number[];
  sum = 0;
  count = 0;
  max = 0;
  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }
  observe(value: number): void {
    if (!(value >= 0)) return; // NaN or negative: a clock that went backwards records nothing
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (this.counts as number[])[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
    if (value > this.max) this.max = value;
  }
  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
    this.max = 0;
  }
}

/** A {@link MetricStore}: every series kept in memory until the process ends. */
export function createMetricStore(): MetricStore {
  const series = new Map<MetricDef, Map<string, Scalar | Buckets>>();
  const bind = <T extends Scalar | Buckets>(
    def: MetricDef,
    labels: Readonly<Record<string, string>> | undefined,
    make: (l: Record<string, string>) => T,
  ): T => {
    let byKey = series.get(def);
    if (!byKey) {
      byKey = new Map();
      series.set(def, byKey);
    }
    const key = def.labels.length === 0 ? "" : def.labels.map((name) => labels?.[name] ?? "").join("\u0000");
    let found = byKey.get(key) as T | undefined;
    if (!found) {
      const bound: Record<string, string> = {};
      for (const name of def.labels) bound[name] = labels?.[name] ?? "";
      found = make(bound);
      byKey.set(key, found);
    }
    return found;
  };
  return {
    counter: <L extends string>(def: CounterDef<L>, labels?: LabelValues<L>) => bind(def, labels, (l) => new Scalar(l)),
    gauge: <L extends string>(def: GaugeDef<L>, labels?: LabelValues<L>) => bind(def, labels, (l) => new Scalar(l)),
    histogram: <L extends string>(def: HistogramDef<L>, labels?: LabelValues<L>) => bind(def, labels, (l) => new Buckets(l, def.buckets)),
    read: (def) => [...(series.get(def)?.values() ?? [])] as Scalar[],
    readHistogram: (def) => [...(series.get(def)?.values() ?? [])] as Buckets[],
    defined: () => [...series.keys()],
    resetCounts() {
      for (const [def, byKey] of series) {
        if (def.kind === "gauge") continue;
        for (const one of byKey.values())
          if (one instanceof Buckets) one.reset();
          else one.value = 0;
      }
    },
  };
}
