/** One Server-Sent Events frame. Every field is optional; an empty frame encodes to "". */
export interface SseFrame {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  /** Reconnection delay the browser should use, in milliseconds. */
  readonly retry?: number;
}

const LINE_BREAK = /\r\n|\r|\n/;

function singleLine(field: string, value: string): string {
  if (LINE_BREAK.test(value) || value.includes("\0")) {
    throw new TypeError(`SSE ${field} must be one line without NUL`);
  }
  return value;
}

/**
 * Encodes a frame as the SSE wire format (WHATWG HTML, "Server-sent events"): `data` is
 * split on any line break into one `data:` line each, so a payload can never end the
 * frame early or inject a field. Ends with the blank line that dispatches the event.
 * @throws TypeError when `id` or `event` holds a line break, or `retry` is not a whole number.
 */
export function encodeFrame(frame: SseFrame): string {
  let out = "";
  if (frame.retry !== undefined) {
    if (!Number.isInteger(frame.retry) || frame.retry < 0) throw new TypeError("SSE retry must be a whole number");
    out += `retry: ${frame.retry}\n`;
  }
  if (frame.id !== undefined) out += `id: ${singleLine("id", frame.id)}\n`;
  if (frame.event !== undefined) out += `event: ${singleLine("event", frame.event)}\n`;
  if (frame.data !== undefined) {
    for (const line of frame.data.split(LINE_BREAK)) out += `data: ${line}\n`;
  }
  return out ? `${out}\n` : "";
}

/** Encodes a comment (ignored by clients; used as a heartbeat and as padding). */
export function encodeComment(text = ""): string {
  return `: ${text.replace(/\r\n|\r|\n/g, " ")}\n\n`;
}
