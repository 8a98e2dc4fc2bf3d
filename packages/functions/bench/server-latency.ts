import { DELIVERY_LATENCY } from "@murmur/core/metrics";
import { bucketsBetween, histogramBuckets, histogramQuantile, parseExposition } from "../src/testing/prometheus.ts";

/** Cumulative buckets of the server's append-to-delivery histogram. */
export type Buckets = { le: number; count: number }[];

/**
 * How far the server's p99 (its `/metrics` histogram, read as PromQL's
 * `histogram_quantile` would) may sit from the client's for the two to agree:
 * - above: at most one bucket's width (the buckets grow by up to 1.5x, and interpolation
 *   inside one can land anywhere in it), plus 0.25 ms for the clock reads;
 * - below: by what the server does not time and the client does. The webhook's request
 *   up to its commit (HTTP, signature, validation, the append's script) is measured
 *   beside it: the publisher's p99 from stamp to 200. Then the Redis reader's hop, the
 *   socket and the client's parse: 2 ms, or a quarter of the client's p99 when that is
 *   more (on a loaded machine every hop stretches alike).
 */
export const P99_TOLERANCE = {
  above: (clientMs: number) => clientMs * 0.5 + 0.25,
  below: (clientMs: number, webhookMs: number) => webhookMs + Math.max(2, clientMs * 0.25),
  text: "server p99 ≤ client p99 × 1.5 + 0.25 ms, and client p99 − server p99 ≤ the webhook's p99 (stamp to 200) + max(2 ms, 25% of client p99)",
} as const;

/** The delivery histogram's cumulative buckets now, from the server's `/metrics`. */
export async function scrapeDeliveryBuckets(metricsUrl: string): Promise<Buckets> {
  const res = await fetch(metricsUrl);
  if (res.status !== 200) throw new Error(`${metricsUrl} answered ${res.status}`);
  return histogramBuckets(parseExposition(await res.text()), DELIVERY_LATENCY.name);
}

/** What the server measured over a window, and whether it agrees with the client's p99. */
export interface ServerLatency {
  /** Timed writes (one per batch per stream). */
  readonly count: number;
  readonly p50: number | null;
  readonly p99: number | null;
  /** Client p99 less server p99, ms. */
  readonly differenceMs: number | null;
  /** The publisher's p99 from a webhook's stamp to its 200, ms: what the server does not time. */
  readonly webhookP99: number | null;
  readonly agrees: boolean | null;
}

/** The server's latency over a window (`before` to `after`), against the client's p99 (ms) and the webhook's (ms). */
export function serverLatency(before: Buckets, after: Buckets, clientP99: number | null, webhookP99: number | null): ServerLatency {
  const window = bucketsBetween(before, after);
  const ms = (q: number) => {
    const seconds = histogramQuantile(q, window);
    return seconds === null ? null : seconds * 1000;
  };
  const p99 = ms(0.99);
  const count = window.at(-1)?.count ?? 0;
  if (p99 === null || clientP99 === null) return { count, p50: ms(0.5), p99, differenceMs: null, webhookP99, agrees: null };
  const differenceMs = clientP99 - p99;
  const agrees = p99 <= clientP99 + P99_TOLERANCE.above(clientP99) && differenceMs <= P99_TOLERANCE.below(clientP99, webhookP99 ?? 0);
  return { count, p50: ms(0.5), p99, differenceMs, webhookP99, agrees };
}
