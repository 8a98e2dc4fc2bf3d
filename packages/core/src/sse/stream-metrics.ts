import {
  DELIVERY_LATENCY,
  FRAMES_DELIVERED,
  STREAM_RESETS,
  STREAM_RESUMES,
  STREAMS_CLOSED,
  STREAMS_OPEN,
  STREAMS_OPENED,
} from "../metrics/definitions.ts";
import { type CounterSeries, type GaugeSeries, type HistogramSeries, type Metrics, noopMetrics } from "../metrics/metrics.ts";

/** How a stream was opened: the thread alone, or with its owner's list (`?threads=1`). */
export type StreamMode = "thread" | "thread_list";

/** A held stream's series, bound once per `Metrics` and shared by every stream: a stream holds one pointer to them. */
export interface StreamInstruments {
  /** False for {@link noopMetrics}: a stream then reads no clock for latency. */
  readonly timed: boolean;
  readonly open: Readonly<Record<StreamMode, GaugeSeries>>;
  readonly opened: Readonly<Record<StreamMode, CounterSeries>>;
  readonly frames: CounterSeries;
  readonly latency: HistogramSeries;
  readonly resumes: CounterSeries;
  closed(reason: string): CounterSeries;
  reset(reason: string): CounterSeries;
}

const bound = new WeakMap<Metrics, StreamInstruments>();

/** The stream series of `metrics`. */
export function streamInstruments(metrics: Metrics): StreamInstruments {
  let found = bound.get(metrics);
  if (!found) {
    found = {
      timed: metrics !== noopMetrics,
      open: { thread: metrics.gauge(STREAMS_OPEN, { mode: "thread" }), thread_list: metrics.gauge(STREAMS_OPEN, { mode: "thread_list" }) },
      opened: {
        thread: metrics.counter(STREAMS_OPENED, { mode: "thread" }),
        thread_list: metrics.counter(STREAMS_OPENED, { mode: "thread_list" }),
      },
      frames: metrics.counter(FRAMES_DELIVERED),
      latency: metrics.histogram(DELIVERY_LATENCY),
      resumes: metrics.counter(STREAM_RESUMES),
      closed: (reason) => metrics.counter(STREAMS_CLOSED, { reason }),
      reset: (reason) => metrics.counter(STREAM_RESETS, { reason }),
    };
    bound.set(metrics, found);
  }
  return found;
}
