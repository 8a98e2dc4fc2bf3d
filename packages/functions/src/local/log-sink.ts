import type { MurmurConfig } from "@murmur/core/config";
import { createLogger, jsonLines, type Logger, silentLogger } from "../log.ts";

/** The local server's logger: one JSON line per record on stdout, unless `MURMUR_LOG=off`. */
export function localLogger(config: MurmurConfig, write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  return config.log === "off" ? silentLogger : createLogger(jsonLines(write));
}
