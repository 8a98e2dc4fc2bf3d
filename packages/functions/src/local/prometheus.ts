import { type HistogramValue, METRICS, type MetricDef, type MetricStore, type ScalarValue } from "@murmur/core/metrics";
import { collectDefaultMetrics, type Metric, Registry } from "prom-client";

// The local server's sink: the store's series rendered by prom-client at each scrape, with
// prom-client's process metrics (RSS, CPU, event-loop lag, GC, heap) beside them. The
// store records (a property write per frame); prom-client formats: its own metrics hash
// their labels on every increment, too dear for a held stream's path.

type Sample = { value: number; labels: Record<string, string | number>; metricName?: string };

/** A prom-client registry serving every definition in METRICS from `store`, and the process defaults. */
export function createPrometheusRegistry(store: MetricStore): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const def of METRICS) registry.registerMetric(collector(def, store));
  return registry;
}

/** One definition as prom-client's registry reads a metric: `get()` answers its samples now. */
function collector(def: MetricDef, store: MetricStore): Metric {
  const get = async () => ({
    name: def.name,
    help: def.help,
    type: def.kind,
    aggregator: "sum" as const,
    values:
      def.kind === "histogram"
        ? store.readHistogram(def).flatMap((h) => histogramSamples(def.name, def.buckets, h))
        : scalars(store.read(def)),
  });
  return { name: def.name, help: def.help, type: def.kind, get } as unknown as Metric;
}

function scalars(series: readonly ScalarValue[]): Sample[] {
  return series.map((s) => ({ value: s.value, labels: { ...s.labels } }));
}

/** Cumulative `_bucket{le}` samples, then `_sum` and `_count`, as the exposition format has them. */
function histogramSamples(name: string, bounds: readonly number[], h: HistogramValue): Sample[] {
  const out: Sample[] = [];
  let cumulative = 0;
  bounds.forEach((bound, i) => {
    cumulative += h.counts[i] ?? 0;
    out.push({ metricName: `${name}_bucket`, labels: { ...h.labels, le: bound }, value: cumulative });
  });
  out.push({ metricName: `${name}_bucket`, labels: { ...h.labels, le: "+Inf" }, value: h.count });
  out.push({ metricName: `${name}_sum`, labels: { ...h.labels }, value: h.sum });
  out.push({ metricName: `${name}_count`, labels: { ...h.labels }, value: h.count });
  return out;
}
