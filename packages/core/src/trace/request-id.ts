/**
 * Request ids: what ties one reply together from the send to its last delta, across
 * processes and functions. A request carries an id in, or gets one; the send's id goes
 * into the run it starts (`RunRequest.trace`) and onto every event of that run (`trace`).
 */

/** A request id: 1-128 characters of `[A-Za-z0-9._:-]`, so it is safe in a header, a log line and an event id's alphabet. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** What a request is followed by. */
export interface TraceContext {
  /** The request's id: its valid `x-request-id`, else its trace id. Echoed as `x-request-id`. */
  readonly requestId: string;
  /** The W3C trace id (32 hex): the incoming `traceparent`'s, else made here. */
  readonly traceId: string;
  /** The incoming `traceparent` when it was valid: the parent of this request's spans. */
  readonly traceparent?: string;
}

/** The trace id of a W3C `traceparent` (version 00 or later, not all zeros), or null when it is not one. */
export function traceIdOf(traceparent: string | undefined): string | null {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent.trim());
  if (!match || match[1] === "ff") return null;
  const [, , traceId, spanId] = match as unknown as [string, string, string, string];
  return /^0+$/.test(traceId) || /^0+$/.test(spanId) ? null : traceId;
}

/** A fresh trace id: 32 random hex digits. */
export function newTraceId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The trace context of a request with these headers. Nothing is refused: an invalid
 * `x-request-id` (too long, unsafe characters) or `traceparent` is ignored and a new id made.
 */
export function traceContextOf(headers: { readonly traceparent?: string; readonly requestId?: string }): TraceContext {
  const incoming = traceIdOf(headers.traceparent);
  const traceId = incoming ?? newTraceId();
  const given = headers.requestId?.trim();
  const requestId = given && REQUEST_ID_PATTERN.test(given) ? given : traceId;
  return incoming ? { requestId, traceId, traceparent: (headers.traceparent as string).trim() } : { requestId, traceId };
}
