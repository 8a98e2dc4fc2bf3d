import { Redis } from "ioredis";

/** Commands by name (`cmdstat_<name>` calls), e.g. {evalsha: 12, xread: 3}. */
export type CommandCounts = Readonly<Record<string, number>>;

/** The benchmark's own commands, left out of every delta. */
const PROBE_COMMANDS = new Set(["info", "config|resetstat", "config|get"]);

/**
 * Reads `INFO commandstats` of the private Redis of one design (every node of a cluster,
 * summed). Redis counts the commands a Lua script runs as well as the EVALSHA that ran it.
 */
export class RedisProbe {
  private readonly clients: Redis[];

  constructor(urls: readonly string[]) {
    this.clients = urls.map((url) => {
      const client = new Redis(url, { maxRetriesPerRequest: 1, connectionName: "bench-probe" });
      client.on("error", () => {});
      return client;
    });
  }

  async commandStats(): Promise<CommandCounts> {
    const counts: Record<string, number> = {};
    for (const text of await Promise.all(this.clients.map((client) => client.info("commandstats")))) {
      for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        counts[match[1] as string] = (counts[match[1] as string] ?? 0) + Number(match[2]);
      }
    }
    return counts;
  }

  /** Microseconds Redis spent in each command so far (`usec`; a script's includes the commands it ran), every node summed. */
  async commandUsec(): Promise<CommandCounts> {
    const usec: Record<string, number> = {};
    for (const text of await Promise.all(this.clients.map((client) => client.info("commandstats")))) {
      for (const match of text.matchAll(/^cmdstat_([^:]+):calls=\d+,usec=(\d+)/gm)) {
        usec[match[1] as string] = (usec[match[1] as string] ?? 0) + Number(match[2]);
      }
    }
    return usec;
  }

  /** CPU seconds (user + system) the Redis server has used so far, every node summed: `INFO cpu`. */
  async cpuSeconds(): Promise<number> {
    let seconds = 0;
    for (const text of await Promise.all(this.clients.map((client) => client.info("cpu")))) {
      for (const match of text.matchAll(/^used_cpu_(?:user|sys):([\d.]+)/gm)) seconds += Number(match[1]);
    }
    return seconds;
  }

  async configure(settings: Record<string, string>): Promise<void> {
    for (const client of this.clients) for (const [name, value] of Object.entries(settings)) await client.config("SET", name, value);
  }

  close(): void {
    for (const client of this.clients) client.disconnect();
  }
}

/** after − before, by command, without the probe's own commands and without zeros. */
export function diffCounts(before: CommandCounts, after: CommandCounts): CommandCounts {
  const out: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after)) {
    const delta = calls - (before[name] ?? 0);
    if (delta > 0 && !PROBE_COMMANDS.has(name)) out[name] = delta;
  }
  return out;
}

export function totalCommands(counts: CommandCounts): number {
  return Object.values(counts).reduce((n, c) => n + c, 0);
}
