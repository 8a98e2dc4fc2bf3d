import { createMetricStore, type MetricStore } from "@murmur/core/metrics";
import { createEmfFlush } from "./emf.ts";

/** A function's metrics: kept in this instance, flushed as EMF lines (see emf.ts). */
export interface LambdaMetrics {
  readonly metrics: MetricStore;
  /** Writes what was recorded since the last flush, and starts counting afresh. */
  readonly flush: () => void;
}

/** The metrics of function `name` (Api, Webhook, Stream, Agent) in `stage`. */
export function lambdaMetrics(name: string, stage: string): LambdaMetrics {
  const metrics = createMetricStore();
  return { metrics, flush: createEmfFlush(metrics, { stage, function: name }) };
}
