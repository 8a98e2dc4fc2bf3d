import { isId } from "@murmur/core/chat";
import { ForbiddenError, NotFoundError, ValidationError } from "@murmur/core/errors";
import type { EventLog, ThreadRecord } from "@murmur/core/event-log";

/**
 * The thread, if the session owns it.
 * @throws ValidationError for a malformed id, NotFoundError, or ForbiddenError when another session owns it.
 */
export async function ownedThread(log: EventLog, threadId: string, sessionId: string): Promise<ThreadRecord> {
  checkThreadId(threadId);
  const thread = await log.getThread(threadId);
  if (!thread) throw new NotFoundError(`thread ${threadId} not found`);
  return checkOwner(thread, sessionId);
}

/** @throws ValidationError for a malformed thread id. */
export function checkThreadId(threadId: string): void {
  if (!isId(threadId))
    throw new ValidationError("invalid thread id", [`threadId: "${threadId.slice(0, 80)}" is not 1-64 characters of A-Z a-z 0-9 _ -`]);
}

/** @throws ForbiddenError when another session owns the thread. */
export function checkOwner<T extends { readonly id: string; readonly owner: string }>(thread: T, sessionId: string): T {
  if (thread.owner !== sessionId) throw new ForbiddenError(`thread ${thread.id} belongs to another session`);
  return thread;
}
