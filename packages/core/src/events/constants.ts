// Facts about events that the browser needs too, with no schema library behind them:
// importing this module costs a bundle a few hundred bytes (schemas.ts holds the validators).

/** A user message may hold at most 16 KB of UTF-8 text. */
export const MAX_MESSAGE_BYTES = 16 * 1024;
/** One delta batch, a completed reply, or a reply assembled from its deltas may hold at most 64 KB. */
export const MAX_REPLY_BYTES = 64 * 1024;

/** Every event type a thread's log can hold, in the order the schemas list them (a test holds them equal). */
export const CHAT_EVENT_TYPES = [
  "message.created",
  "run.started",
  "message.delta",
  "message.completed",
  "message.failed",
  "run.cancel_requested",
  "thread.read",
] as const;

/**
 * Why a reply failed, as data (`message.failed`'s `kind`); `reason` says it in words.
 * - `stopped`: a person asked to stop it;
 * - `agent_error`: the agent or its provider failed (`retryable` says whether a retry may help);
 * - `timeout`: it ran past a time limit (the model's, the provider run's, the function's);
 * - `abandoned`: the process or function writing it died (a crash, kill -9); a retry starts afresh;
 * - `too_large`: it grew past {@link MAX_REPLY_BYTES};
 * - `unavailable`: it could not start or continue because the event log could not be reached;
 * - `internal`: something unexpected in Murmur itself.
 */
export const FAILURE_KINDS = ["stopped", "agent_error", "timeout", "abandoned", "too_large", "unavailable", "internal"] as const;

/** Thread, message, run and session ids: 1-64 characters of `[A-Za-z0-9_-]`. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** A log position on the wire (SSE `id:`, `Last-Event-ID`, `?after=`): `<epoch>:<ms>-<seq>`. */
export const CURSOR_PATTERN = /^([a-z0-9]{1,16}):(\d{1,15})-(\d{1,15})$/;
/** Event ids (the de-duplication key): 1-128 characters of `[A-Za-z0-9_:.-]`. */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9_:.-]{1,128}$/;
