/**
 * Latency histogram: buckets 2% wide on a log scale from 1 µs, so percentiles are within
 * 2% at any magnitude and a histogram is a few hundred numbers that cross process
 * boundaries cheaply. The maximum is exact.
 */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = 1200; // 1.02^1200 µs is far past any bounded window

/** A histogram as it travels between processes: sparse [bucket, count] pairs. */
export interface HistogramData {
  readonly buckets: readonly (readonly [number, number])[];
  readonly count: number;
  /** Microseconds. */
  readonly max: number;
}

export class Histogram {
  private counts = new Float64Array(BUCKETS);
  count = 0;
  max = 0;

  /** Records one latency in microseconds (clamped to at least 1 µs). */
  record(micros: number): void {
    const value = Math.max(1, micros);
    const index = Math.min(BUCKETS - 1, Math.ceil(Math.log(value) / LOG_GROWTH));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.count++;
    if (value > this.max) this.max = value;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.max = 0;
  }

  toData(): HistogramData {
    const buckets: [number, number][] = [];
    this.counts.forEach((count, index) => {
      if (count > 0) buckets.push([index, count]);
    });
    return { buckets, count: this.count, max: this.max };
  }
}

/** Adds histograms up. */
export function mergeHistograms(parts: readonly HistogramData[]): HistogramData {
  const sums = new Map<number, number>();
  let count = 0;
  let max = 0;
  for (const part of parts) {
    for (const [index, n] of part.buckets) sums.set(index, (sums.get(index) ?? 0) + n);
    count += part.count;
    max = Math.max(max, part.max);
  }
  return { buckets: [...sums].sort((a, b) => a[0] - b[0]), count, max };
}

/** The `p`-th percentile (0-100) in milliseconds: the upper edge of its bucket, never above the max. Null when empty. */
export function percentileMs(data: HistogramData, p: number): number | null {
  if (data.count === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * data.count));
  let seen = 0;
  for (const [index, n] of data.buckets) {
    seen += n;
    if (seen >= rank) return Math.min(GROWTH ** index, data.max) / 1000;
  }
  return data.max / 1000;
}
