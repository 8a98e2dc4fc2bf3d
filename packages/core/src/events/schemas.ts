import * as v from "valibot";
import { ValidationError } from "../errors/index.ts";
import { REQUEST_ID_PATTERN } from "../trace/request-id.ts";
import { type CHAT_EVENT_TYPES, EVENT_ID_PATTERN, FAILURE_KINDS, ID_PATTERN, MAX_MESSAGE_BYTES, MAX_REPLY_BYTES } from "./constants.ts";

/** Thread, message, run and session ids: 1-64 characters of `[A-Za-z0-9_-]`. */
export const IdSchema = v.pipe(v.string("must be a string"), v.regex(ID_PATTERN, "must be 1-64 characters of A-Z a-z 0-9 _ -"));

/** Event ids (the de-duplication key): 1-128 characters of `[A-Za-z0-9_:.-]`. */
export const EventIdSchema = v.pipe(
  v.string("must be a string"),
  v.regex(EVENT_ID_PATTERN, "must be 1-128 characters of A-Z a-z 0-9 _ : . -"),
);

const base = {
  /** De-duplication key: appending an event whose id the thread already holds is a no-op. */
  id: EventIdSchema,
  threadId: IdSchema,
  /** Milliseconds since the epoch when the producer made the event. */
  at: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /**
   * The id of the request this event descends from (see trace/request-id.ts): the send's,
   * on its message and on every event of the run it started, so one reply can be followed
   * across processes and functions. Optional: metadata, never read by the reducer.
   */
  trace: v.optional(v.pipe(v.string("must be a string"), v.regex(REQUEST_ID_PATTERN, "must be 1-128 characters of A-Z a-z 0-9 . _ : -"))),
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
  /** Why, in words a person can read. Shown, never compared: code reads `kind`. */
  reason: v.pipe(v.string(), v.maxLength(1024)),
  /** Whether sending the same message again may succeed. */
  retryable: v.boolean(),
  /** Why, as data (see FAILURE_KINDS). Events written before it existed have none. */
  kind: v.optional(v.picklist(FAILURE_KINDS, `must be one of ${FAILURE_KINDS.join(", ")}`)),
});

/**
 * A person asked to stop a run. The runner follows its thread's log while it runs and
 * aborts when it sees this; its `message.failed` (kind `stopped`) records the end.
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
/** Why a reply failed (see FAILURE_KINDS). */
export type FailureKind = (typeof FAILURE_KINDS)[number];

// The browser-safe list names exactly the schemas' types (events.test.ts checks the order too).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const listsEveryType: Same<(typeof CHAT_EVENT_TYPES)[number], ChatEventType> = true;
void listsEveryType;

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
