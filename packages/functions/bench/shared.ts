import type { MessageDelta } from "@murmur/core/chat";

/** Secrets every server under test is started with; the publisher and subscribers use the same. */
export const SESSION_SECRET = "bench-session-secret-0123456789abcdef";
export const WEBHOOK_SECRET = "bench-webhook-secret";
/**
 * The sessions that own the benchmark's threads, in turn: an owner's threads share one
 * hash slot (keys.ts), so on a Redis Cluster many owners spread the threads over the
 * masters, as many users do. Each subscriber holds its thread's owner's token.
 */
export const BENCH_OWNERS: readonly string[] = Array.from({ length: 64 }, (_, i) => `s_bench${i}`);

/** Microseconds on the system-wide monotonic clock: comparable across processes on one machine. */
export function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The event every design carries: a `message.delta` whose text is the publish time in
 * microseconds, so latency is measured end to end. `window` names the measurement
 * window (it is the message id), `seq` counts 0, 1, 2, ... per thread and window, so a
 * subscriber can tell a gap, a duplicate or a reordering.
 */
export function benchEvent(threadId: string, window: string, seq: number, stampMicros: number): MessageDelta {
  return {
    id: `b.${window}.${seq}`,
    threadId,
    at: Date.now(),
    type: "message.delta",
    runId: "r_bench",
    messageId: `m_${window}`,
    seq,
    text: String(stampMicros),
  };
}

/** What a subscriber reads back from a delivered event. */
export interface Delivery {
  readonly messageId: string;
  readonly seq: number;
  readonly stampMicros: number;
}

/** Reads a delivered event (an object, or its JSON); null for anything that is not a benchmark event. */
export function readDelivery(value: unknown): Delivery | null {
  const event = (typeof value === "string" ? JSON.parse(value) : value) as Partial<MessageDelta> | null;
  if (event?.type !== "message.delta" || typeof event.messageId !== "string" || typeof event.seq !== "number") return null;
  return { messageId: event.messageId, seq: event.seq, stampMicros: Number(event.text) };
}

/** Rejects when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
