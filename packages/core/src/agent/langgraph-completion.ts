import * as v from "valibot";
import { ValidationError } from "../errors/index.ts";
import { MAX_REPLY_BYTES } from "../events/constants.ts";
import { describeIssues, type FailureKind, type MessageCompleted, type MessageFailed } from "../events/schemas.ts";
import { failureEvent, STOPPED } from "./failure.ts";
import { runEventIds } from "./run-ids.ts";

/**
 * The body LangGraph POSTs to a run's `webhook` when the run ends: the run itself
 * (`run_id`, `thread_id`, `metadata`, ...) plus its final `status`, the thread's state
 * `values` (absent after a cancel) and, on failure, an `error` text. Other fields pass.
 */
export const LangGraphRunCompletionSchema = v.looseObject({
  run_id: v.string("must be a string"),
  thread_id: v.nullish(v.string("must be a string")),
  status: v.picklist(["success", "error", "interrupted", "timeout"], "must be success, error, interrupted or timeout"),
  values: v.nullish(v.unknown()),
  error: v.nullish(v.unknown()),
});

export type LangGraphRunCompletion = v.InferOutput<typeof LangGraphRunCompletionSchema>;

/** @throws ValidationError naming each wrong field. */
export function parseLangGraphCompletion(body: unknown): LangGraphRunCompletion {
  const result = v.safeParse(LangGraphRunCompletionSchema, body);
  if (!result.success) throw new ValidationError("invalid LangGraph run completion", describeIssues(result.issues));
  return result.output;
}

/**
 * The event that ends the reply for a finished LangGraph run: `message.completed` with
 * the last AI message of the state, or `message.failed` with a reason a person can read.
 * Its id is the run's deterministic completed/failed id, so a repeated webhook, or a
 * stop the runner already recorded, lands once. LangGraph's error text is not shown.
 */
export function completionEvent(
  run: { readonly threadId: string; readonly runId: string; readonly messageId: string },
  completion: LangGraphRunCompletion,
  at = Date.now(),
): MessageCompleted | MessageFailed {
  const failed = (reason: string, retryable: boolean, kind: FailureKind): MessageFailed =>
    failureEvent(run, { reason, retryable, kind }, at);
  if (completion.status === "interrupted") return failureEvent(run, STOPPED, at);
  if (completion.status === "timeout") return failed("the LangGraph run timed out", true, "timeout");
  if (completion.status === "error") return failed("the LangGraph run failed", true, "agent_error");
  const text = lastAiText(completion.values);
  if (text === null) return failed("the LangGraph run finished without an AI message", false, "agent_error");
  if (new TextEncoder().encode(text).length > MAX_REPLY_BYTES)
    return failed(`the reply is longer than ${MAX_REPLY_BYTES / 1024} KB`, false, "too_large");
  return {
    id: runEventIds.completed(run.runId),
    threadId: run.threadId,
    at,
    type: "message.completed",
    runId: run.runId,
    messageId: run.messageId,
    text,
  };
}

/**
 * The text of the last AI message with text in `values.messages`, or null. Accepts the
 * shapes LangGraph servers serialise messages in: `{type: "ai"}`, `{role: "assistant"}`,
 * and LangChain's `{lc: 1, id: [..., "AIMessage"], kwargs}`; content as a string or as
 * content blocks (`{type: "text", text}`).
 */
export function lastAiText(values: unknown): string | null {
  const messages = isRecord(values) && Array.isArray(values.messages) ? values.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message: unknown = messages[i];
    if (!isRecord(message)) continue;
    const lc = Array.isArray(message.id) && isRecord(message.kwargs) ? String(message.id.at(-1)) : null;
    const isAi = lc
      ? /^AIMessage(Chunk)?$/.test(lc)
      : ["ai", "AIMessage", "AIMessageChunk"].includes(String(message.type)) || message.role === "assistant";
    if (!isAi) continue;
    const text = contentText(lc ? (message.kwargs as Record<string, unknown>).content : message.content);
    if (text) return text;
  }
  return null;
}

/** Text of a message content: a string, or the text blocks of a content array. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) =>
      typeof part === "string" ? part : isRecord(part) && part.type === "text" && typeof part.text === "string" ? part.text : "",
    )
    .join("");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
