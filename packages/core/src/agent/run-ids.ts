import { toHex } from "../auth/encoding.ts";

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

/** Event ids of a run: stable per run, so re-running it re-appends nothing. */
export const runEventIds = {
  started: (runId: string) => `${runId}:started`,
  delta: (runId: string, seq: number) => `${runId}:d:${seq}`,
  completed: (runId: string) => `${runId}:completed`,
  failed: (runId: string) => `${runId}:failed`,
  /** One stop request per run: asking again lands once. */
  cancel: (runId: string) => `${runId}:cancel`,
};
