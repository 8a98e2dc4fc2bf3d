import type { StreamSink } from "@murmur/core/sse";
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

/** What a stream's end line says besides its bytes, duration and reason. */
export interface StreamFacts {
  readonly route: string;
  readonly threadId: string;
  readonly resumed: boolean;
}

/**
 * A sink passing everything to `sink`, and one `stream` line when the stream ends: bytes
 * sent, how long it was held, and why it ended (its `close` reason: planned, error,
 * superseded, released, slow_client; `ended` when it closed without one; `client_gone` when the
 * client went away first). One object per held stream, made only when logging is on.
 */
export class LoggedSink implements StreamSink {
  private readonly started = performance.now();
  private bytes = 0;
  private last: Uint8Array | undefined;
  private ended = false;
  private logged = false;

  constructor(
    private readonly sink: StreamSink,
    private readonly logger: Logger,
    private readonly facts: StreamFacts,
  ) {}

  write(bytes: Uint8Array): void {
    this.bytes += bytes.length;
    this.last = bytes;
    this.sink.write(bytes);
  }

  buffered(): number {
    return this.sink.buffered();
  }

  end(): void {
    this.ended = true;
    this.sink.end();
  }

  abort(): void {
    this.ended = true;
    this.sink.abort();
  }

  onClose(target: { close(): void }): void {
    this.sink.onClose({
      close: () => {
        // Closed before the stream ended it: the client went away first.
        const gone = !this.ended;
        target.close();
        this.log(gone);
      },
    });
  }

  private log(gone: boolean): void {
    if (this.logged) return;
    this.logged = true;
    const reason = gone ? "client_gone" : (closeReason(this.last) ?? "ended");
    const durationMs = Math.round(performance.now() - this.started);
    this.logger.info("stream", { ...this.facts, status: 200, reason, bytes: this.bytes, durationMs });
  }
}
