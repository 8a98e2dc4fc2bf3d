/**
 * Structured logs, one JSON object per line, the same in both runtimes: each entry file
 * injects where lines go (its sink). Callers pass named facts only, never a request's
 * headers, query, cookies or body (tokens, per-run secrets and signatures live there),
 * so what is logged is what these fields hold and nothing else.
 */

/** What a log line may carry: flat, named facts. `undefined` fields are left out. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** One line as the sink gets it: `level`, `msg`, `time` (ISO), then the fields. */
export type LogRecord = Readonly<Record<string, string | number | boolean | null>>;

/** Where lines go. The local server writes them to stdout; Lambda hands them to its JSON log format. */
export type LogSink = (record: LogRecord) => void;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** A logger over `sink`. Extra `base` fields go on every line (e.g. a request id, later). */
export function createLogger(sink: LogSink, base: LogFields = {}): Logger {
  const emit = (level: "info" | "warn" | "error", msg: string, fields: LogFields = {}) => {
    const record: Record<string, string | number | boolean | null> = { level, msg, time: new Date().toISOString() };
    for (const source of [base, fields]) {
      for (const [key, value] of Object.entries(source)) if (value !== undefined) record[key] = value;
    }
    sink(record);
  };
  return {
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
  };
}

/** A sink writing each record as one JSON line. */
export function jsonLines(write: (line: string) => void): LogSink {
  return (record) => write(`${JSON.stringify(record)}\n`);
}

/** Logs nothing (`MURMUR_LOG=off`, and tests that do not look). */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** An error's message for a log line: its name and message, never its cause's payload. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
