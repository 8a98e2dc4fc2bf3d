import { EVENT_LOG_UNAVAILABLE, REDIS_COMMANDS, REDIS_ERRORS } from "../../metrics/definitions.ts";
import type { CounterSeries, Metrics } from "../../metrics/metrics.ts";
import type { ScriptRunner } from "./engine.ts";
import {
  APPEND,
  CREATE_THREAD,
  DELETE_THREAD,
  GET_THREAD,
  LIST_POSITION,
  LIST_THREADS,
  POLL,
  POSITIONS,
  PUBLISH_SIGNAL,
  publishingScript,
  READ,
  READ_SIGNALS,
  RENAME_THREAD,
  RENEW_LEASE,
  SNAPSHOT,
} from "./scripts.ts";

/** Each script's name in `murmur_redis_commands_total{command="script:<name>"}` (as is, and as a cluster runs it). */
const NAMED: readonly [string, string][] = [
  [APPEND, "append"],
  [CREATE_THREAD, "create_thread"],
  [DELETE_THREAD, "delete_thread"],
  [GET_THREAD, "get_thread"],
  [LIST_THREADS, "list_threads"],
  [POLL, "poll"],
  [POSITIONS, "positions"],
  [PUBLISH_SIGNAL, "publish_signal"],
  [READ, "read"],
  [READ_SIGNALS, "read_signals"],
  [RENAME_THREAD, "rename_thread"],
  [RENEW_LEASE, "renew_lease"],
  [SNAPSHOT, "snapshot"],
  [LIST_POSITION, "list_position"],
];
const SCRIPT_NAMES = new Map<string, string>([
  ...NAMED,
  ...NAMED.map(([script, name]): [string, string] => [publishingScript(script), name]),
]);

/**
 * Counts the event log's Redis commands and their failures, and the seconds its store
 * was unreachable: the time from a failed command to the next command that succeeds,
 * added up as commands keep failing (so an outage in progress counts, not only a past
 * one). One meter per `Metrics` serves every connection of the process (the commands and
 * the blocking readers), so an outage is counted once, however many of them see it.
 */
export class CommandMeter {
  private readonly series = new Map<string, { sent: CounterSeries; errors: CounterSeries }>();
  private readonly unavailable: CounterSeries;
  private downSince: number | null = null;

  constructor(private readonly metrics: Metrics) {
    this.unavailable = metrics.counter(EVENT_LOG_UNAVAILABLE);
  }

  /**
   * Counts `run` as command `command` when sent, and as an error when it rejects; a
   * rejection that Redis itself answered (a refused command) leaves the store reachable.
   * `expected` marks rejections that are no failure (a read ended on purpose).
   */
  async measure<T>(command: string, run: () => Promise<T>, expected?: (error: unknown) => boolean): Promise<T> {
    const counters = this.counters(command);
    counters.sent.inc();
    try {
      const result = await run();
      this.reachable();
      return result;
    } catch (error) {
      if (expected?.(error)) throw error;
      counters.errors.inc();
      if (answered(error)) this.reachable();
      else this.unreachable();
      throw error;
    }
  }

  private counters(command: string) {
    let found = this.series.get(command);
    if (!found) {
      found = { sent: this.metrics.counter(REDIS_COMMANDS, { command }), errors: this.metrics.counter(REDIS_ERRORS, { command }) };
      this.series.set(command, found);
    }
    return found;
  }

  private unreachable(): void {
    const now = performance.now();
    if (this.downSince !== null) this.unavailable.inc((now - this.downSince) / 1000);
    this.downSince = now;
  }

  private reachable(): void {
    if (this.downSince === null) return;
    this.unavailable.inc((performance.now() - this.downSince) / 1000);
    this.downSince = null;
  }
}

/** An error Redis answered with (ioredis' ReplyError, @upstash/redis' UpstashError): the store was reached. */
function answered(error: unknown): boolean {
  return error instanceof Error && (error.name === "ReplyError" || error.name === "UpstashError");
}

const meters = new WeakMap<Metrics, CommandMeter>();

/** The process's meter for `metrics`. */
export function commandMeter(metrics: Metrics): CommandMeter {
  let meter = meters.get(metrics);
  if (!meter) {
    meter = new CommandMeter(metrics);
    meters.set(metrics, meter);
  }
  return meter;
}

/** A runner whose scripts and pings are counted (see {@link CommandMeter}). */
export function measuredRunner(runner: ScriptRunner, metrics: Metrics): ScriptRunner {
  const meter = commandMeter(metrics);
  return {
    run: (script, keys, args) => meter.measure(`script:${SCRIPT_NAMES.get(script) ?? "other"}`, () => runner.run(script, keys, args)),
    ping: () => meter.measure("ping", () => runner.ping()),
    // One SCAN per batch (per master on a cluster, roughly): counted as each batch arrives.
    async *scan(pattern) {
      const batches = runner.scan(pattern)[Symbol.asyncIterator]();
      for (;;) {
        const next = await meter.measure("scan", () => batches.next());
        if (next.done) return;
        yield next.value;
      }
    },
    close: () => runner.close(),
  };
}
