import { METRICS, type MetricDef, type MetricStore, type MetricUnit } from "@murmur/core/metrics";

// The Lambda functions' sink: CloudWatch's embedded metric format (EMF), one JSON log line
// per series, which CloudWatch Logs turns into metrics with no API call and no agent.
// Written by hand (a few dozen lines) rather than with @aws-lambda-powertools/metrics,
// which would add its runtime to every bundle (Stream has 3 kB to spare under its budget).

/** The CloudWatch namespace of every Murmur metric. */
export const EMF_NAMESPACE = "Murmur";

const UNITS: Readonly<Record<MetricUnit, string>> = { count: "Count", seconds: "Seconds", bytes: "Bytes" };
/** EMF takes at most 100 values per metric in one document. */
const MAX_VALUES = 100;

/** What every line says besides its metric: the stage and the function (dimensions of every metric). */
export interface EmfContext {
  readonly stage: string;
  readonly function: string;
}

/**
 * The EMF documents for what `store` recorded since the last flush: one per series that
 * changed (gauges: every series, at its level now). Each names the definition's metric
 * with its unit, and its dimensions: `stage`, `function`, then the definition's labels.
 * A histogram's observations are values at their bucket's upper bound (its largest
 * observation past the last bound), at most 100 to a document, so CloudWatch's
 * percentiles are the buckets' as Prometheus would read them.
 */
export function emfDocuments(store: MetricStore, context: EmfContext, timestamp = Date.now()): object[] {
  const documents: object[] = [];
  for (const def of METRICS) {
    const directive = (labels: Readonly<Record<string, string>>, value: number | number[]) => ({
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [
          {
            Namespace: EMF_NAMESPACE,
            Dimensions: [["stage", "function", ...def.labels]],
            Metrics: [{ Name: def.name, Unit: UNITS[def.unit] }],
          },
        ],
      },
      stage: context.stage,
      function: context.function,
      ...labels,
      [def.name]: value,
    });
    if (def.kind === "histogram") {
      for (const series of store.readHistogram(def)) {
        const values = bucketValues(def, series.counts, series.max);
        for (let i = 0; i < values.length; i += MAX_VALUES) documents.push(directive(series.labels, values.slice(i, i + MAX_VALUES)));
      }
    } else {
      for (const series of store.read(def))
        if (def.kind === "gauge" || series.value !== 0) documents.push(directive(series.labels, series.value));
    }
  }
  return documents;
}

function bucketValues(def: Extract<MetricDef, { kind: "histogram" }>, counts: readonly number[], max: number): number[] {
  const values: number[] = [];
  counts.forEach((count, i) => {
    const at = i < def.buckets.length ? (def.buckets[i] as number) : max;
    for (let n = 0; n < count; n++) values.push(at);
  });
  return values;
}

/**
 * Writes what `store` recorded since the last flush as EMF lines, then zeroes its counts.
 * Lines go straight to stdout, not through `console`: the runtime's console wraps each
 * message (as JSON with `logging.format: "json"`), and EMF must be a log event of its
 * own, the document alone.
 */
export function createEmfFlush(
  store: MetricStore,
  context: EmfContext,
  write: (line: string) => void = (line) => process.stdout.write(line),
): () => void {
  return () => {
    const documents = emfDocuments(store, context);
    store.resetCounts();
    for (const document of documents) write(`${JSON.stringify(document)}\n`);
  };
}

/** `handler`, flushing metrics when each invocation ends (whether it answered or threw). */
export function flushingAfter<A extends unknown[], R>(handler: (...args: A) => Promise<R>, flush: () => void): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await handler(...args);
    } finally {
      flush();
    }
  };
}
