import { createLogger, type Logger, type LogSink } from "../log.ts";

/**
 * Lambda's sink: each record, as one object, to the console method of its level. With
 * `logging.format: "json"` (sst.config.ts) the runtime writes it as the `message` of one
 * JSON line and adds the time, level and request id.
 */
export const lambdaSink: LogSink = (record) => {
  const write = record.level === "error" ? console.error : record.level === "warn" ? console.warn : console.info;
  write(record);
};

/** A function's logger. */
export const lambdaLogger = (): Logger => createLogger(lambdaSink);
