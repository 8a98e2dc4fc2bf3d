import type { ChatEvent, FailureKind } from "../events/schemas.ts";

export type MessageStatus = "streaming" | "complete" | "failed";

/** One message as the UI shows it. */
export interface ChatMessage {
  readonly id: string;
  readonly role: "user" | "assistant";
  readonly text: string;
  readonly status: MessageStatus;
  /** Epoch milliseconds of the event that created the message. */
  readonly createdAt: number;
  /** Assistant messages: the run writing it, the agent, and the user message it answers. */
  readonly runId?: string;
  readonly agent?: string;
  readonly replyTo?: string;
  /** Assistant messages: the last delta seq applied, -1 before the first. */
  readonly lastSeq?: number;
  /**
   * Failed messages: why in words (`reason`, to show), why as data (`kind`, to act on;
   * absent for failures logged before kinds existed), and whether sending again may help.
   */
  readonly error?: { readonly reason: string; readonly retryable: boolean; readonly kind?: FailureKind };
  /** Streaming assistant messages: a stop was requested and the run is ending. */
  readonly stopping?: boolean;
}

/** A thread folded from its events. Plain data: it serializes to JSON as is. */
export interface ThreadState {
  readonly threadId: string;
  readonly messages: readonly ChatMessage[];
}

/** The state of a thread with no events. */
export function emptyThreadState(threadId: string): ThreadState {
  return { threadId, messages: [] };
}

function updateMessage(state: ThreadState, messageId: string, update: (message: ChatMessage) => ChatMessage): ThreadState {
  const index = state.messages.findIndex((m) => m.id === messageId);
  if (index === -1) return state;
  const current = state.messages[index] as ChatMessage;
  const next = update(current);
  if (next === current) return state;
  const messages = state.messages.slice();
  messages[index] = next;
  return { ...state, messages };
}

/**
 * Folds one event into a thread's state. Pure: returns a new state, or the same object
 * when the event changes nothing. Events the state has already absorbed (a repeated
 * `message.created`, a delta whose seq was applied, anything after a message ended)
 * are ignored, so applying a log twice yields the same state as applying it once.
 */
export function applyEvent(state: ThreadState, event: ChatEvent): ThreadState {
  switch (event.type) {
    case "message.created":
      if (state.messages.some((m) => m.id === event.messageId)) return state;
      return {
        ...state,
        messages: [...state.messages, { id: event.messageId, role: "user", text: event.text, status: "complete", createdAt: event.at }],
      };
    case "run.started":
      if (state.messages.some((m) => m.id === event.messageId)) return state;
      return {
        ...state,
        messages: [
          ...state.messages,
          {
            id: event.messageId,
            role: "assistant",
            text: "",
            status: "streaming",
            createdAt: event.at,
            runId: event.runId,
            agent: event.agent,
            replyTo: event.replyTo,
            lastSeq: -1,
          },
        ],
      };
    case "message.delta":
      return updateMessage(state, event.messageId, (m) =>
        m.status !== "streaming" || event.seq <= (m.lastSeq ?? -1) ? m : { ...m, text: m.text + event.text, lastSeq: event.seq },
      );
    case "message.completed":
      return updateMessage(state, event.messageId, (m) => (m.status !== "streaming" ? m : { ...m, text: event.text, status: "complete" }));
    case "message.failed":
      return updateMessage(state, event.messageId, (m) =>
        m.status !== "streaming"
          ? m
          : {
              ...m,
              status: "failed",
              error: { reason: event.reason, retryable: event.retryable, ...(event.kind ? { kind: event.kind } : {}) },
            },
      );
    case "run.cancel_requested":
      return updateMessage(state, event.messageId, (m) =>
        m.status !== "streaming" || m.runId !== event.runId || m.stopping ? m : { ...m, stopping: true },
      );
    case "thread.read":
      return state; // read state lives in the thread record (see recordAfter), not in the messages
  }
}

/** Folds events in order, starting from `state`. */
export function foldEvents(state: ThreadState, events: Iterable<ChatEvent>): ThreadState {
  let next = state;
  for (const event of events) next = applyEvent(next, event);
  return next;
}
