import { fileURLToPath } from "node:url";
import type { Protocol } from "./clients/subscribe.ts";
import { type HistogramData, mergeHistograms } from "./histogram.ts";
import { type BenchChild, launchChild } from "./launch.ts";

const WORKER_ENTRY = fileURLToPath(new URL("./subscriber-worker.ts", import.meta.url));

/** Merged counters of every worker for the current window. */
export interface WindowStats {
  readonly histogram: HistogramData;
  readonly delivered: number;
  readonly duplicates: number;
  readonly missing: number;
  readonly stray: number;
  readonly dropped: number;
  readonly open: number;
}

/** Where the subscribers live: a few processes apart from the server under test and from the publisher. */
export class SubscriberPool {
  private onProgress: ((min: number) => void) | null = null;
  private readonly latest: number[];

  private constructor(private readonly workers: BenchChild[]) {
    this.latest = workers.map(() => -1);
    workers.forEach((worker, index) => {
      worker.onMessage((message) => {
        if (message.op !== "progress") return;
        // null: this worker holds no subscriber, so it holds nobody back.
        this.latest[index] = message.min === null ? Number.POSITIVE_INFINITY : Number(message.min);
        this.onProgress?.(Math.min(...this.latest));
      });
    });
  }

  static async start(count: number): Promise<SubscriberPool> {
    const workers = await Promise.all(Array.from({ length: count }, (_, i) => launchChild(`subscribers-${i + 1}`, WORKER_ENTRY)));
    return new SubscriberPool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Opens one subscriber per entry of `threads` (with the session token beside it in `tokens`), spread over the workers; stops at `deadline`. */
  async open(protocol: Protocol, origin: string, tokens: readonly string[], threads: readonly string[], deadline: number) {
    const parts = this.workers.map((_, w) => threads.filter((_, i) => i % this.workers.length === w));
    const tokenParts = this.workers.map((_, w) => tokens.filter((_, i) => i % this.workers.length === w));
    const concurrency = protocol === "socketio" ? 50 : 100;
    const results = await Promise.all(
      this.workers.map((worker, w) =>
        worker.request<{ opened: string[]; failed: number; errors: string[] }>(
          "open",
          { protocol, origin, tokens: tokenParts[w], threads: parts[w], concurrency, timeoutMs: 15_000, deadline },
          Math.max(20_000, deadline - Date.now() + 20_000),
        ),
      ),
    );
    return {
      /** The thread of each subscriber that is ready. */
      opened: results.flatMap((r) => r.opened),
      failed: results.reduce((n, r) => n + r.failed, 0),
      errors: [...new Set(results.flatMap((r) => r.errors))].slice(0, 3),
    };
  }

  async window(id: string): Promise<void> {
    this.latest.fill(-1);
    await Promise.all(this.workers.map((w) => w.request("window", { window: id })));
  }

  async stats(): Promise<WindowStats> {
    const parts = await Promise.all(this.workers.map((w) => w.request<WindowStats>("stats")));
    const sum = (key: Exclude<keyof WindowStats, "histogram">) => parts.reduce((n, p) => n + p[key], 0);
    return {
      histogram: mergeHistograms(parts.map((p) => p.histogram)),
      delivered: sum("delivered"),
      duplicates: sum("duplicates"),
      missing: sum("missing"),
      stray: sum("stray"),
      dropped: sum("dropped"),
      open: sum("open"),
    };
  }

  /** Calls `listener` with the lowest seq every subscriber has reached, while on. */
  async progress(listener: ((min: number) => void) | null, intervalMs = 10): Promise<void> {
    this.onProgress = listener;
    await Promise.all(this.workers.map((w) => w.request("progress", { on: listener !== null, intervalMs })));
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.request("closeAll", {}, 30_000)));
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}
