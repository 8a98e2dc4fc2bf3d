import * as v from "valibot";
import { ValidationError } from "../errors/index.ts";
import { EventIdSchema, IdSchema } from "./ids.ts";

/** A user message may hold at most 16 KB of UTF-8 text. */
export const MAX_MESSAGE_BYTES = 16 * 1024;
/** One delta batch or a completed reply may hold at most 64 KB. */
export const MAX_REPLY_BYTES = 64 * 1024;

const base = {
  /** De-duplication key: appending an event whose id the thread already holds is a no-op. */
  id: EventIdSchema,
  threadId: IdSchema,
  /** Milliseconds since the epoch when the producer made the event. */
  at: v.pipe(v.number(), v.integer(), v.minValue(0)),
};

const text = (maxBytes: number) => v.pipe(v.string("must be a string"), v.maxBytes(maxBytes, `must be at most ${maxBytes} bytes`));

export const MessageCreatedSchema = v.strictObject({
  ...base,
  type: v.literal("message.created"),
  messageId: IdSchema,
  role: v.literal("user"),
  text: v.pipe(text(MAX_MESSAGE_BYTES), v.nonEmpty("must not be empty")),
});

export const RunStartedSchema = v.strictObject({
  ...base,
  type: v.literal("run.started"),
  runId: IdSchema,
  /** The assistant message this run writes. */
  messageId: IdSchema,
  /** The user message the run answers. */
  replyTo: IdSchema,
  /** Which agent writes the reply, e.g. "demo"; the UI shows it. */
  agent: v.pipe(v.string(), v.maxLength(64)),
});

export const MessageDeltaSchema = v.strictObject({
  ...base,
  type: v.literal("message.delta"),
  runId: IdSchema,
  messageId: IdSchema,
  /** 0, 1, 2, ... per message: lets a reader drop a batch it has already applied. */
  seq: v.pipe(v.number(), v.integer(), v.minValue(0)),
  text: text(MAX_REPLY_BYTES),
});

export const MessageCompletedSchema = v.strictObject({
  ...base,
  type: v.literal("message.completed"),
  runId: IdSchema,
  messageId: IdSchema,
  /** The whole reply: authoritative over the deltas, so snapshots never need them. */
  text: text(MAX_REPLY_BYTES),
});

export const MessageFailedSchema = v.strictObject({
  ...base,
  type: v.literal("message.failed"),
  runId: IdSchema,
  messageId: IdSchema,
  /** Why, in words a person can read. */
  reason: v.pipe(v.string(), v.maxLength(1024)),
  /** Whether sending the same message again may succeed. */
  retryable: v.boolean(),
});

/**
 * A person asked to stop a run. The runner follows its thread's log while it runs and
 * aborts when it sees this; its `message.failed` ("the reply was stopped") records the end.
 * Travelling through the log lets the request reach a run in another process (a Lambda).
 */
export const RunCancelRequestedSchema = v.strictObject({
  ...base,
  type: v.literal("run.cancel_requested"),
  runId: IdSchema,
  messageId: IdSchema,
});

/** The owner has seen the thread up to `at` (server time): every tab and device clears its unread badge. */
export const ThreadReadSchema = v.strictObject({
  ...base,
  type: v.literal("thread.read"),
});

export const ChatEventSchema = v.variant("type", [
  MessageCreatedSchema,
  RunStartedSchema,
  MessageDeltaSchema,
  MessageCompletedSchema,
  MessageFailedSchema,
  RunCancelRequestedSchema,
  ThreadReadSchema,
]);

export type MessageCreated = v.InferOutput<typeof MessageCreatedSchema>;
export type RunStarted = v.InferOutput<typeof RunStartedSchema>;
export type MessageDelta = v.InferOutput<typeof MessageDeltaSchema>;
export type MessageCompleted = v.InferOutput<typeof MessageCompletedSchema>;
export type MessageFailed = v.InferOutput<typeof MessageFailedSchema>;
export type RunCancelRequested = v.InferOutput<typeof RunCancelRequestedSchema>;
export type ThreadRead = v.InferOutput<typeof ThreadReadSchema>;
/** Every event a thread's log can hold. */
export type ChatEvent = v.InferOutput<typeof ChatEventSchema>;
export type ChatEventType = ChatEvent["type"];

/** The event types, in the order the schemas list them. */
export const CHAT_EVENT_TYPES: readonly ChatEventType[] = ChatEventSchema.options.map((schema) => schema.entries.type.literal);

/** Formats valibot issues as `path: message` strings. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.map((issue) => {
    const path = v.getDotPath(issue);
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}

/**
 * Validates an unknown value as a chat event.
 * @throws ValidationError naming every field that is wrong.
 */
export function parseChatEvent(value: unknown): ChatEvent {
  const result = v.safeParse(ChatEventSchema, value);
  if (!result.success) throw new ValidationError("invalid event", describeIssues(result.issues));
  return result.output;
}
