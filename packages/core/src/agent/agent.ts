/** One turn of a conversation, as handed to an agent. */
export interface AgentTurn {
  readonly threadId: string;
  readonly runId: string;
  /** The user message being answered. */
  readonly replyTo: string;
  /** Its text. */
  readonly prompt: string;
  /** Which attempt at a reply to this prompt: 0 first, 1, 2, ... for each retry or regeneration. */
  readonly attempt?: number;
  /** Earlier complete messages, oldest first, not including the prompt. */
  readonly history: readonly { readonly role: "user" | "assistant"; readonly text: string }[];
}

/** Names one run of an agent in Murmur's terms. */
export interface AgentRunRef {
  readonly threadId: string;
  readonly runId: string;
}

/**
 * The agent port: something that writes a reply. `reply` yields the reply as text
 * chunks in order; the runner batches them into `message.delta` events, so an agent
 * never deals with events, ids or the log. It must stop soon after `signal` aborts,
 * and stop the work it started at its provider (abort the request, cancel the run).
 * Throwing an {@link AgentError} fails the reply with a reason a person can read.
 *
 * Completion:
 * - "inline" (the default): the reply is exactly what `reply` yields, and the runner
 *   records `message.completed` when the iteration ends.
 * - "webhook": the provider finishes the run out of band and reports the final reply
 *   through the webhook (e.g. a LangGraph background run). `reply` starts the run and
 *   may yield live text while it watches it; when the iteration ends the runner records
 *   nothing more, and the webhook records `message.completed` or `message.failed` with
 *   the run's deterministic event ids (so a late or repeated webhook lands once). A
 *   throw before the hand-off, or an abort, still fails the reply from the runner.
 */
export interface Agent {
  /** Shown in the UI next to the reply, e.g. "demo". */
  readonly name: string;
  readonly completion?: "inline" | "webhook";
  /**
   * Webhook agents: how long the provider may take, after the hand-off, to report the
   * end (default 15 minutes). The runner lets go of the run with its lease set this far
   * ahead, so a run whose completion never comes still ends (abandoned) after it, and one
   * that is only slow is not ended early.
   */
  readonly handOffLeaseMs?: number;
  reply(turn: AgentTurn, signal: AbortSignal): AsyncIterable<string>;
  /**
   * Webhook agents: stops a run at the provider after `reply` has handed it off and
   * returned. Resolves once the provider accepted the request; a run that has already
   * ended is left alone. The provider's completion webhook then reports the stop.
   */
  cancel?(run: AgentRunRef): Promise<void>;
}

/**
 * A reply that failed for a reason worth showing; `retryable` drives the UI's retry.
 * `kind` is `timeout` when a time limit ended it, else `agent_error`.
 */
export class AgentError extends Error {
  readonly retryable: boolean;
  readonly kind: "agent_error" | "timeout";
  constructor(message: string, options: { retryable: boolean; kind?: "agent_error" | "timeout"; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "AgentError";
    this.retryable = options.retryable;
    this.kind = options.kind ?? "agent_error";
  }
}
