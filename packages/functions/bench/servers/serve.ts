import { serveParent } from "../child-ipc.ts";
import { commandCounts } from "./count-commands.ts";

/** What every server under test tells the benchmark. */
export interface ServerUnderTest {
  /** Origin, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  /** Where its Prometheus metrics answer (Murmur only: its METRICS_PORT listener). */
  readonly metricsUrl?: string | null;
  /** Connections the server holds open for subscribers right now. */
  connections(): number;
  /** `count` new threads owned by `owner`; designs without a thread store make up ids. */
  threads(owner: string, count: number): Promise<string[]>;
  close(): Promise<void>;
}

/** Serves the benchmark's requests: stats (RSS, heap, open connections, Redis commands sent), gc, threads. */
export function serveBenchServer(server: ServerUnderTest): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  serveParent(
    {
      stats: ({ collect }) => {
        if (collect) {
          gc?.();
          gc?.();
        }
        const memory = process.memoryUsage();
        return { rss: memory.rss, heapUsed: memory.heapUsed, connections: server.connections(), commands: commandCounts() };
      },
      threads: ({ owner, count }) => server.threads(String(owner), Number(count)),
    },
    { url: server.url, metricsUrl: server.metricsUrl ?? null },
    () => server.close(),
  );
}

/** Ids for designs that keep no threads: `t_<tag>_<n>`. */
export function madeUpThreads(): (owner: string, count: number) => Promise<string[]> {
  let next = 0;
  const tag = process.pid.toString(36);
  return async (_owner, count) => Array.from({ length: count }, () => `t_${tag}_${(next++).toString(36)}`);
}
