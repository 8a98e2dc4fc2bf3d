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
 * A run that could not start because the event log could not be reached (its first read
 * or write failed through every retry): retryable, so sending the message again starts it.
 */
export const CANNOT_START: Failure = {
  reason: "the reply could not start: the server could not reach its event log; send the message again",
  retryable: true,
  kind: "unavailable",
};

/** A reply that grew past `limitBytes` (`LIMIT_REPLY_BYTES`): cut off, and a retry would grow the same. */
export function tooLarge(limitBytes: number): Failure {
  return { reason: `the reply grew past ${formatBytes(limitBytes)} and was cut off`, retryable: false, kind: "too_large" };
}

/** 65536 -> "64 KB", 1500 -> "1500 bytes". */
export function formatBytes(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} bytes`;
}

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
