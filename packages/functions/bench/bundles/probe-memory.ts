/** A process's memory at one moment, in bytes (`process.memoryUsage()`). */
export interface MemorySample {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
}

export function memory(): MemorySample {
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external };
}

/** How often a {@link trackPeak} samples. */
export const SAMPLE_MS = 100;

/** Samples memory every {@link SAMPLE_MS} ms from now; `stop` returns the highest of each figure. */
export function trackPeak(): { stop(): MemorySample } {
  let peak = memory();
  const sample = () => {
    const now = memory();
    peak = {
      rss: Math.max(peak.rss, now.rss),
      heapUsed: Math.max(peak.heapUsed, now.heapUsed),
      heapTotal: Math.max(peak.heapTotal, now.heapTotal),
      external: Math.max(peak.external, now.external),
    };
  };
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
