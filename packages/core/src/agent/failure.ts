import type { FailureKind, MessageFailed } from "../events/schemas.ts";
import { runEventIds } from "./run-ids.ts";

/** Why a reply failed: in words (`reason`, shown to a person), as data (`kind`), and whether a retry may help. */
export interface Failure {
  readonly reason: string;
  readonly retryable: boolean;
  readonly kind: FailureKind;
}

/** The one record of a stopped reply; the runner, a stop after a hand-off and a LangGraph "interrupted" webhook write the same. */
export const STOPPED: Failure = { reason: "the reply was stopped", retryable: true, kind: "stopped" };

/**
 * The `message.failed` that ends a run's reply. Its id is the run's deterministic failed
 * id, so whoever records the end first wins and every later record lands as a duplicate.
 */
export function failureEvent(
  run: { readonly threadId: string; readonly runId: string; readonly messageId: string },
  failure: Failure,
  at = Date.now(),
): MessageFailed {
  return {
    id: runEventIds.failed(run.runId),
    threadId: run.threadId,
    at,
    type: "message.failed",
    runId: run.runId,
    messageId: run.messageId,
    reason: failure.reason,
    retryable: failure.retryable,
    kind: failure.kind,
  };
}
