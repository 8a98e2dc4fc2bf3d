import { Redis } from "ioredis";

/** What one variant's run used, counted where it happened. */
export interface Counted {
  /** Lambda invocations and their duration, by function. */
  readonly functions: Record<string, { invocations: number; ms: number; memoryMb: number }>;
  /** Bytes streamed by each Stream invocation (Lambda bills past 6 MB each). */
  readonly streamBytes: number[];
  /** Requests through CloudFront, and the bytes it sent to the browser. */
  readonly cloudfront: { requests: number; bytes: number };
  /** Redis commands sent over TCP (blocking reads), by name. */
  readonly tcpCommands: Record<string, number>;
  /** Redis commands sent over REST, by name. */
  readonly restCommands: Record<string, number>;
  /** Redis commands executed, by name (`INFO commandstats`: a script's inner commands too). */
  readonly executed: Record<string, number>;
  /** Seconds a released stream ran on after its browser released it. */
  readonly releaseLagMs: number[];
}

/** Counts invocations, bytes and commands of the handlers run in this process. */
export class Meter {
  readonly functions: Counted["functions"] = {};
  readonly streamBytes: number[] = [];
  readonly cloudfront = { requests: 0, bytes: 0 };
  readonly tcpCommands: Record<string, number> = {};
  readonly releaseLagMs: number[] = [];

  constructor(private readonly memoryMb: Readonly<Record<string, number>>) {
    countTcpCommands(this.tcpCommands);
  }

  /** Times one invocation of `name`. */
  async invoke<T>(name: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      this.functions[name] ??= { invocations: 0, ms: 0, memoryMb: this.memoryMb[name] ?? 0 };
      const entry = this.functions[name];
      entry.invocations++;
      // Lambda bills duration rounded up to the millisecond.
      entry.ms += Math.ceil(performance.now() - started);
    }
  }

  /** One browser request through CloudFront, answered with `bytes` of body. */
  request(bytes: number): void {
    this.cloudfront.requests++;
    this.cloudfront.bytes += bytes;
  }
}

/**
 * Counts the commands Murmur's own ioredis connections send (their names start with
 * `murmur`: commands, the blocking readers, their control); the local Upstash REST
 * server's connection to Redis is left out, as its commands are counted as REST.
 */
function countTcpCommands(into: Record<string, number>): void {
  type SendCommand = Redis["sendCommand"];
  const original: SendCommand = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<SendCommand>) {
    const [command] = args;
    if (String(this.options.connectionName ?? "").startsWith("murmur")) {
      let name = command.name.toLowerCase();
      if (name === "client") name += `|${String(command.args[0] ?? "").toLowerCase()}`;
      into[name] = (into[name] ?? 0) + 1;
    }
    return original.apply(this, args);
  };
}
