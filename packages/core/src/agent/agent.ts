/** One turn of a conversation, as handed to an agent. */
export interface AgentTurn {
  readonly threadId: string;
  readonly runId: string;
  /** The user message being answered. */
  readonly replyTo: string;
  /** Its text. */
  readonly prompt: string;
  /** Earlier complete messages, oldest first, not including the prompt. */
  readonly history: readonly { readonly role: "user" | "assistant"; readonly text: string }[];
}

/**
 * The agent port: something that writes a reply. `reply` yields the reply as text
 * chunks in order; the runner batches them into `message.delta` events, so an agent
 * never deals with events, ids or the log. It must stop soon after `signal` aborts.
 * Throwing an {@link AgentError} fails the reply with a reason a person can read.
 */
export interface Agent {
  /** Shown in the UI next to the reply, e.g. "demo". */
  readonly name: string;
  reply(turn: AgentTurn, signal: AbortSignal): AsyncIterable<string>;
}

/** A reply that failed for a reason worth showing; `retryable` drives the UI's retry. */
export class AgentError extends Error {
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "AgentError";
    this.retryable = options.retryable;
  }
}
