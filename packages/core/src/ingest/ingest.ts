import * as v from "valibot";
import { ValidationError } from "../errors/index.ts";
import type { AppendOptions, AppendResult, EventLog } from "../event-log/event-log.ts";
import { type ChatEvent, ChatEventSchema, describeIssues } from "../events/schemas.ts";
import { EVENTS_APPENDED } from "../metrics/definitions.ts";
import { type Metrics, noopMetrics } from "../metrics/metrics.ts";
import { noopTracer, type Tracer } from "../trace/tracer.ts";

/** Most events one ingestion call accepts. */
export const MAX_EVENTS_PER_BATCH = 500;

export interface IngestResult extends AppendResult {
  readonly id: string;
}

/**
 * Ingestion: the one way events from agents enter a thread's log, for both the webhook
 * and the built-in agent. Validates the whole batch before writing any of it (a bad
 * event rejects the batch and nothing is written), then appends it in one step
 * (`EventLog.appendBatch`: one script call in Redis); events the thread already holds
 * are reported as duplicates and not written again. An unknown thread rejects with
 * `NotFoundError` and nothing is written; so do the log's own refusals (`options.ifHead`
 * no longer the head; a reply grown past its limit, which also fails the reply: see
 * `EventLog.appendBatch`).
 */
export type Ingest = (threadId: string, events: readonly unknown[], options?: AppendOptions) => Promise<IngestResult[]>;

/** What ingestion reports to, besides the log. */
export interface IngestOptions {
  /** Counts what it wrote, by event type (default: nowhere). */
  readonly metrics?: Metrics;
  /** An `ingest` span, and an `event_log.append` span inside it (default: none). */
  readonly tracer?: Tracer;
}

/** Creates the ingestion function over `log`. */
export function createIngest(log: EventLog, options: IngestOptions = {}): Ingest {
  const metrics = options.metrics ?? noopMetrics;
  const tracer = options.tracer ?? noopTracer;
  return (threadId, events, append) =>
    tracer.span("ingest", { "murmur.thread_id": threadId, "murmur.events": events.length }, async () => {
      const valid = validateBatch(threadId, events);
      const results = await tracer.span("event_log.append", { "murmur.adapter": log.name }, () => log.appendBatch(threadId, valid, append));
      return results.map((result, i) => {
        const event = valid[i] as ChatEvent;
        if (!result.duplicate) metrics.counter(EVENTS_APPENDED, { type: event.type }).inc();
        return { id: event.id, ...result };
      });
    });
}

function validateBatch(threadId: string, events: readonly unknown[]): ChatEvent[] {
  if (events.length === 0) throw new ValidationError("invalid events", ["events: must hold at least one event"]);
  if (events.length > MAX_EVENTS_PER_BATCH) {
    throw new ValidationError("invalid events", [`events: at most ${MAX_EVENTS_PER_BATCH} per request`]);
  }
  const issues: string[] = [];
  const valid: ChatEvent[] = [];
  events.forEach((raw, index) => {
    const result = v.safeParse(ChatEventSchema, raw);
    if (!result.success) {
      for (const issue of describeIssues(result.issues)) issues.push(`events[${index}].${issue}`);
    } else if (result.output.threadId !== threadId) {
      issues.push(`events[${index}].threadId: must be ${threadId}`);
    } else {
      valid.push(result.output);
    }
  });
  if (issues.length) throw new ValidationError("invalid events", issues);
  return valid;
}
