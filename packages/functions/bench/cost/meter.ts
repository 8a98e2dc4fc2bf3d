import { REST_PROXY_MARK } from "@murmur/core/testing";
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
 * Counts the commands Murmur's own ioredis connections send (the functions' commands and
 * blocking readers, named or not: the Stream function names none, as SETNAME is a CLIENT
 * command): those connectRedis made; the local Upstash REST server's connection (marked),
 * the harness's probes and clean-up are left out, the REST server's commands being counted as REST.
 */
function countTcpCommands(into: Record<string, number>): void {
  type SendCommand = Redis["sendCommand"];
  const original: SendCommand = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<SendCommand>) {
    const [command] = args;
    // Murmur's connections are made by connectRedis, the only one to turn CLIENT SETINFO off.
    const own = this.options.disableClientInfo === true && !(REST_PROXY_MARK in this);
    if (own) {
      let name = command.name.toLowerCase();
      if (name === "client") name += `|${String(command.args[0] ?? "").toLowerCase()}`;
      into[name] = (into[name] ?? 0) + 1;
    }
    return original.apply(this, args);
  };
}
