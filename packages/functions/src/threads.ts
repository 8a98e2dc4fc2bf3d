import { endLapsedRuns } from "@murmur/core/agent";
import { isId } from "@murmur/core/chat";
import { ForbiddenError, NotFoundError, ValidationError } from "@murmur/core/errors";
import type { EventLog, RunLease, ThreadRecord } from "@murmur/core/event-log";
import type { Ingest } from "@murmur/core/ingest";

/**
 * The thread, if the session owns it. Touching a thread also ends the replies whose
 * writer went away (their lease lapsed: invariant I6), so none stays streaming.
 * @throws ValidationError for a malformed id, NotFoundError, or ForbiddenError when another session owns it.
 */
export async function ownedThread(
  deps: { readonly log: EventLog; readonly ingest: Ingest },
  threadId: string,
  sessionId: string,
): Promise<ThreadRecord> {
  checkThreadId(threadId);
  const found = await deps.log.getThread(threadId);
  if (!found) throw new NotFoundError(`thread ${threadId} not found`);
  const { leases, ...thread } = found;
  checkOwner(thread, sessionId);
  await endLapsed(deps, threadId, leases);
  return thread;
}

/** Ends the lapsed runs among `leases` (see ownedThread); returns how many it ended. */
export function endLapsed(deps: { readonly ingest: Ingest }, threadId: string, leases: readonly RunLease[]): Promise<number> {
  return endLapsedRuns(deps.ingest, threadId, leases);
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
