import type { EventLog } from "../event-log/event-log.ts";

/**
 * Which browser a stream serves, so a newer stream of that browser for the same thread
 * supersedes it and the browser can release it when it no longer wants it. Lambda never
 * learns that a streaming client left (it bills until the handler ends), so the old
 * stream must hear it from the log.
 */
export interface StreamControl {
  /** The signal channel of the session (see {@link controlChannel}). */
  readonly channel: string;
  /** The browser: its tabs share one id. */
  readonly client: string;
  readonly threadId: string;
  /** This stream's id, sent to the browser in the `opened` frame. */
  readonly streamId: string;
}

/** Why a controlled stream was ended from outside. */
export type ControlEnd = "superseded" | "released";

interface ControlMessage {
  readonly op: "open" | "release";
  readonly threadId: string;
  readonly streamId: string;
  /** "open" only: the browser whose stream took over. */
  readonly client?: string;
}

/** The signal channel of a session's streams. */
export function controlChannel(sessionId: string): string {
  return `stream:${sessionId}`;
}

/** Tells the browser's other streams of this thread that this one took over. */
export async function announceStream(log: EventLog, control: StreamControl): Promise<void> {
  const message: ControlMessage = { op: "open", threadId: control.threadId, streamId: control.streamId, client: control.client };
  await log.publishSignal(control.channel, JSON.stringify(message));
}

/** Asks the session's stream `streamId` of `threadId` to end (its browser dropped it). */
export async function releaseStream(log: EventLog, channel: string, threadId: string, streamId: string): Promise<void> {
  await log.publishSignal(channel, JSON.stringify({ op: "release", threadId, streamId } satisfies ControlMessage));
}

/**
 * Begins watching for the end of a controlled stream, and resolves once the watch has
 * begun, with `ended`: "superseded" when another stream of the same browser took the
 * thread over, "released" when the browser let this one go, undefined when `signal`
 * aborts or the log closes first. Never rejects: when the log cannot be reached the
 * stream reports that itself, and control just stops.
 */
export async function beginStreamControl(
  log: EventLog,
  control: StreamControl,
  signal: AbortSignal,
): Promise<{ readonly ended: Promise<ControlEnd | undefined> }> {
  let messages: AsyncIterable<string>;
  try {
    messages = await log.watchSignals(control.channel, signal);
  } catch {
    return { ended: Promise.resolve(undefined) };
  }
  const ended = (async () => {
    try {
      for await (const raw of messages) {
        const message = parse(raw);
        if (!message || message.threadId !== control.threadId) continue;
        if (message.op === "open" && message.client === control.client && message.streamId !== control.streamId) return "superseded";
        if (message.op === "release" && message.streamId === control.streamId) return "released";
      }
    } catch {
      // see above
    }
    return undefined;
  })();
  return { ended };
}

function parse(raw: string): ControlMessage | null {
  try {
    const value = JSON.parse(raw) as Partial<ControlMessage>;
    return (value.op === "open" || value.op === "release") && typeof value.threadId === "string" && typeof value.streamId === "string"
      ? (value as ControlMessage)
      : null;
  } catch {
    return null;
  }
}
