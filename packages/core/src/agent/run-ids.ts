import { toHex } from "../auth/encoding.ts";
import type { ChatMessage } from "../chat/reducer.ts";
import type { EventLog } from "../event-log/event-log.ts";

/** One run of the agent answering one user message: which attempt it is, and its derived ids. */
export interface RunRef {
  readonly threadId: string;
  readonly userMessageId: string;
  /** 0 for the first reply to the message; 1, 2, ... for each retry after a retryable failure. */
  readonly attempt: number;
  readonly runId: string;
  /** The assistant message the run writes. */
  readonly messageId: string;
}

/**
 * The run and assistant-message ids for the reply to one user message. Derived, not
 * random, so a retried send or a redelivered invoke names the same run and its events
 * de-duplicate in the log (I3).
 */
export async function runIdsFor(threadId: string, userMessageId: string, attempt = 0): Promise<{ runId: string; messageId: string }> {
  // Attempt 0 keeps the original derivation; a retry after a failed reply is attempt 1, 2, ...
  const key = attempt === 0 ? `${threadId}\n${userMessageId}` : `${threadId}\n${userMessageId}\n${attempt}`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  const hex = toHex(digest).slice(0, 32);
  return { runId: `r_${hex}`, messageId: `a_${hex}` };
}

/** The replies to `userMessageId` in `messages`, oldest (attempt 0) first. */
export function repliesTo(messages: readonly ChatMessage[], userMessageId: string): ChatMessage[] {
  return messages.filter((m) => m.role === "assistant" && m.replyTo === userMessageId);
}

/**
 * THE answer to "which run is this": the attempt a send of `userMessageId` asks for,
 * given the thread's messages now.
 * - no reply yet: 0;
 * - the last reply failed and a retry may help (`retryable`): the next attempt, a new run;
 * - otherwise (streaming, complete, or failed for good): the last attempt again, whose
 *   run already started, so starting it lands as a duplicate.
 * A regeneration (`regenerate`: the attempt the client asks for, one past the replies it
 * saw) starts that attempt even after a complete reply, once: asked again (a retry), the
 * attempt exists and starting it lands as a duplicate; asked while a reply streams, it
 * is that reply's attempt. So a regeneration's attempt number is its idempotency key.
 * Send, regenerate, the in-process runner and the Agent function all ask this, so the
 * `runId` they answer with is the run that actually writes the reply.
 */
export function replyAttempt(messages: readonly ChatMessage[], userMessageId: string, regenerate?: number): number {
  const replies = repliesTo(messages, userMessageId);
  const last = replies.at(-1);
  if (!last) return 0;
  if (regenerate !== undefined && last.status !== "streaming") return Math.max(0, Math.min(regenerate, replies.length));
  return last.status === "failed" && last.error?.retryable ? replies.length : replies.length - 1;
}

/**
 * The run a send of `userMessageId` (or a regeneration of its reply, see
 * {@link replyAttempt}) starts or finds running now, over the thread's current state.
 */
export async function planRun(log: EventLog, threadId: string, userMessageId: string, regenerate?: number): Promise<RunRef> {
  const { state } = await log.snapshot(threadId);
  return runOf(threadId, userMessageId, replyAttempt(state.messages, userMessageId, regenerate));
}

/** The ids of one attempt. */
export async function runOf(threadId: string, userMessageId: string, attempt: number): Promise<RunRef> {
  return { threadId, userMessageId, attempt, ...(await runIdsFor(threadId, userMessageId, attempt)) };
}

/** Event ids of a run: stable per run, so re-running it re-appends nothing. */
export const runEventIds = {
  started: (runId: string) => `${runId}:started`,
  delta: (runId: string, seq: number) => `${runId}:d:${seq}`,
  completed: (runId: string) => `${runId}:completed`,
  failed: (runId: string) => `${runId}:failed`,
  /** One stop request per run: asking again lands once. */
  cancel: (runId: string) => `${runId}:cancel`,
};
