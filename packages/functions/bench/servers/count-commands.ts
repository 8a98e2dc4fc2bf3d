import { Redis } from "ioredis";

/**
 * Counts every command this process sends to Redis through ioredis, by name (with the
 * subcommand for CLIENT, CONFIG and SCRIPT). This is what a per-command service such as
 * Upstash bills: a Lua script is one EVALSHA, however many commands it runs inside.
 * `INFO commandstats` on the server counts those inner commands as well, so the
 * benchmark reports both.
 */
const counts = new Map<string, number>();
const WITH_SUBCOMMAND = new Set(["client", "config", "script"]);

type SendCommand = Redis["sendCommand"];
const original: SendCommand = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<SendCommand>) {
  const [command] = args;
  let name = command.name.toLowerCase();
  if (WITH_SUBCOMMAND.has(name)) name += `|${String(command.args[0] ?? "").toLowerCase()}`;
  counts.set(name, (counts.get(name) ?? 0) + 1);
  return original.apply(this, args);
};

/** Commands sent so far, by name. */
export function commandCounts(): Record<string, number> {
  return Object.fromEntries(counts);
}
