import { describe, expect, it } from "vitest";
import { DELIVERY_LATENCY, EVENTS_APPENDED, METRICS, STREAMS_OPEN } from "./definitions.ts";
import { createMetricStore } from "./store.ts";

describe("the metric store", () => {
  it("binds one series per label set, and hands the same object back", () => {
    const store = createMetricStore();
    const deltas = store.counter(EVENTS_APPENDED, { type: "message.delta" });
    expect(store.counter(EVENTS_APPENDED, { type: "message.delta" })).toBe(deltas);
    deltas.inc();
    deltas.inc(2);
    store.counter(EVENTS_APPENDED, { type: "run.started" }).inc();
    expect(store.read(EVENTS_APPENDED)).toEqual([
      { labels: { type: "message.delta" }, value: 3 },
      { labels: { type: "run.started" }, value: 1 },
    ]);
  });

  it("counts observations into the bucket whose bound is the first at or above them", () => {
    const store = createMetricStore();
    const latency = store.histogram(DELIVERY_LATENCY);
    for (const value of [0.0001, 0.0005, 0.0006, 0.004, 99, Number.NaN, -1]) latency.observe(value);
    const [series] = store.readHistogram(DELIVERY_LATENCY);
    expect(series?.count).toBe(5);
    expect(series?.counts.slice(0, 2)).toEqual([2, 1]); // <= 0.5 ms, <= 0.75 ms
    expect(series?.counts[DELIVERY_LATENCY.buckets.indexOf(0.005)]).toBe(1);
    expect(series?.counts.at(-1)).toBe(1); // past 10 s
    expect(series?.max).toBe(99);
    expect(series?.sum).toBeCloseTo(99.0052, 6);
  });

  it("zeroes counts but keeps gauges' levels on resetCounts", () => {
    const store = createMetricStore();
    store.gauge(STREAMS_OPEN, { mode: "thread" }).inc(3);
    store.counter(EVENTS_APPENDED, { type: "message.delta" }).inc(5);
    store.histogram(DELIVERY_LATENCY).observe(0.001);
    store.resetCounts();
    expect(store.read(STREAMS_OPEN)[0]?.value).toBe(3);
    expect(store.read(EVENTS_APPENDED)[0]?.value).toBe(0);
    expect(store.readHistogram(DELIVERY_LATENCY)[0]?.count).toBe(0);
  });

  it("defines every metric once, with Prometheus names that match their kind and unit", () => {
    const names = METRICS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const def of METRICS) {
      expect(def.name).toMatch(/^murmur_[a-z_]+$/);
      if (def.kind === "counter") expect(def.name).toMatch(/_total$/);
      if (def.unit === "seconds") expect(def.name).toMatch(/_seconds(_total)?$/);
      if (def.kind === "histogram") expect([...def.buckets].sort((a, b) => a - b)).toEqual(def.buckets);
    }
    expect(DELIVERY_LATENCY.kind === "histogram" && [DELIVERY_LATENCY.buckets[0], DELIVERY_LATENCY.buckets.at(-1)]).toEqual([0.0005, 10]);
  });
});
