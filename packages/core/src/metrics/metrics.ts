/**
 * The metrics port: what Murmur measures is defined once (definitions.ts: name, help,
 * unit, labels, buckets), core code records through this interface, and each runtime's
 * entry picks where the numbers go (the local server: Prometheus at `/metrics`; Lambda:
 * CloudWatch EMF lines). Without one, core records into {@link noopMetrics}: nothing.
 */

/** What a metric counts in. Prometheus names end with it (`_seconds`, `_total`); EMF maps it to its own units. */
export type MetricUnit = "count" | "seconds" | "bytes";

interface MetricBase<L extends string> {
  /** The Prometheus name; EMF uses the same. */
  readonly name: string;
  /** One sentence: what it means. Shown by `/metrics` and in the README's table. */
  readonly help: string;
  readonly unit: MetricUnit;
  /** Label names, in this order; every series gives each a value. */
  readonly labels: readonly L[];
}

/** Only goes up (restarts at 0 with the process). */
export interface CounterDef<L extends string = string> extends MetricBase<L> {
  readonly kind: "counter";
}

/** Goes up and down: a level now. */
export interface GaugeDef<L extends string = string> extends MetricBase<L> {
  readonly kind: "gauge";
}

/** Observations counted into buckets. */
export interface HistogramDef<L extends string = string> extends MetricBase<L> {
  readonly kind: "histogram";
  /** Upper bounds, ascending, in `unit`; a last bucket (+Inf) is implied. */
  readonly buckets: readonly number[];
}

export type MetricDef = CounterDef | GaugeDef | HistogramDef;

/** A series' label values, one per label name of its definition. */
export type LabelValues<L extends string> = Readonly<Record<L, string>>;

/** One counter series, its labels bound. */
export interface CounterSeries {
  inc(value?: number): void;
}

/** One gauge series, its labels bound. */
export interface GaugeSeries {
  inc(value?: number): void;
  dec(value?: number): void;
  set(value: number): void;
}

/** One histogram series, its labels bound. */
export interface HistogramSeries {
  /** Records one value in the definition's unit. */
  observe(value: number): void;
}

/**
 * Where core records. Each method returns the series of `def` with `labels` bound (the
 * same object for the same labels): hot paths take it once and keep it, so recording is
 * a property write, not a lookup. Recording never throws and never waits.
 */
export interface Metrics {
  counter<L extends string>(def: CounterDef<L>, labels?: LabelValues<L>): CounterSeries;
  gauge<L extends string>(def: GaugeDef<L>, labels?: LabelValues<L>): GaugeSeries;
  histogram<L extends string>(def: HistogramDef<L>, labels?: LabelValues<L>): HistogramSeries;
}

const nothing = { inc() {}, dec() {}, set() {}, observe() {} };

/** Records nothing: the default wherever no sink was given (tests, tools). */
export const noopMetrics: Metrics = {
  counter: () => nothing,
  gauge: () => nothing,
  histogram: () => nothing,
};
