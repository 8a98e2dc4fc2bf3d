import type { Logger } from "./log.ts";

const decoder = new TextDecoder();

/** Why a stream ended, from its last write: the reason of its `close` frame, if it sent one. */
function closeReason(last: Uint8Array | undefined): string | undefined {
  if (!last) return undefined;
  const data = /event: close\ndata: (\{[^\n]*\})\n/.exec(decoder.decode(last))?.[1];
  try {
    return data ? String(JSON.parse(data).reason) : undefined;
  } catch {
    return undefined;
  }
}

/** What a stream's end line says besides its bytes and reason. */
export interface StreamFacts {
  readonly route: string;
  readonly threadId: string;
  readonly resumed: boolean;
}

/**
 * `body`, passed through one chunk at a time, and one `stream` line when it ends: bytes
 * sent, how long it was held, and why it ended (its `close` reason: planned, error,
 * superseded, released, busy; `ended` when it closed without one; `client_gone` when
 * the client went away first). Only when logging is on: it costs a stream and a reader
 * per held connection.
 */
export function loggedStream(body: ReadableStream<Uint8Array>, logger: Logger, facts: StreamFacts): ReadableStream<Uint8Array> {
  const started = performance.now();
  const reader = body.getReader();
  let bytes = 0;
  let last: Uint8Array | undefined;
  let logged = false;
  const end = (fallback: string) => {
    if (logged) return;
    logged = true;
    const reason = closeReason(last) ?? fallback;
    logger.info("stream", { ...facts, status: 200, reason, bytes, durationMs: Math.round(performance.now() - started) });
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          end("ended");
          controller.close();
          return;
        }
        bytes += value.length;
        last = value;
        controller.enqueue(value);
      },
      cancel(reason) {
        end("client_gone");
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
