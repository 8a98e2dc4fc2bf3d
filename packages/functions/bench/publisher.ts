import { Agent, request } from "node:http";
import { SIGNATURE_HEADER, signWebhook } from "@murmur/core/auth";
import { Histogram, type HistogramData } from "./histogram.ts";
import { benchEvent, nowMicros, sleep, WEBHOOK_SECRET } from "./shared.ts";

/** Posts signed webhooks (`POST /api/webhook/chat-response`) to the server under test. */
export interface Publisher {
  /** Posts one webhook; resolves with the status. */
  post(threadId: string, events: readonly object[]): Promise<number>;
  /** Posts one benchmark event stamped with the publish time, just before signing and sending. */
  postStamped(threadId: string, window: string, seq: number): Promise<number>;
  close(): void;
}

/** A webhook unanswered this long counts as failed (an overloaded server may still apply it later). */
const POST_TIMEOUT_MS = 10_000;

export function createPublisher(origin: string): Publisher {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const { hostname, port } = new URL(origin);
  const post = async (threadId: string, events: readonly object[]) => {
    const body = JSON.stringify({ threadId, events });
    const signature = await signWebhook(WEBHOOK_SECRET, body);
    return new Promise<number>((resolve, reject) => {
      const req = request(
        {
          agent,
          host: hostname,
          port: Number(port),
          method: "POST",
          path: "/api/webhook/chat-response",
          headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), [SIGNATURE_HEADER]: signature },
        },
        (res) => {
          res.resume();
          res.once("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.setTimeout(POST_TIMEOUT_MS, () => req.destroy(new Error(`webhook unanswered for ${POST_TIMEOUT_MS} ms`)));
      req.once("error", reject);
      req.end(body);
    });
  };
  return {
    post,
    postStamped: (threadId, window, seq) => post(threadId, [benchEvent(threadId, window, seq, nowMicros())]),
    close: () => agent.destroy(),
  };
}

/** What a fixed-rate run published: events per thread, and how it went. */
export interface PublishRun {
  readonly perThread: Map<string, number>;
  readonly published: number;
  /** Webhooks answered with another status than 200. */
  readonly failed: number;
  /** Webhooks unanswered in time (an overloaded server). */
  readonly timedOut: number;
  /** Events not sent because the schedule fell too far behind. */
  readonly skipped: number;
  /** Most the publisher ran behind its schedule, ms (it waits when `maxInFlight` posts are open). */
  readonly maxLagMs: number;
  /** Each answered webhook's time from its stamp to its 200: the part of a delivery the server's own histogram does not time. */
  readonly answered: HistogramData;
}

/**
 * Publishes at `rate` events a second for `durationMs`, one event per webhook, round
 * robin over `threads`, seq 0, 1, 2, ... per thread. Open loop: the schedule does not
 * wait for deliveries, only for at most `maxInFlight` open posts, and a thread's next
 * post waits for its previous one to be answered (the stamp is taken when it is sent).
 * When the schedule falls more than `maxLagMs` behind (an overloaded server), the rest
 * of the window's events are not sent.
 */
export async function publishAtRate(
  publisher: Publisher,
  options: { window: string; threads: readonly string[]; rate: number; durationMs: number; maxInFlight?: number; maxLagMs?: number },
): Promise<PublishRun> {
  const total = Math.max(1, Math.round((options.rate * options.durationMs) / 1000));
  const maxInFlight = options.maxInFlight ?? 64;
  const perThread = new Map<string, number>();
  const inFlight = new Set<Promise<unknown>>();
  const lastPost = new Map<string, Promise<unknown>>();
  let failed = 0;
  let timedOut = 0;
  let published = 0;
  let maxLagMs = 0;
  const answered = new Histogram();
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    maxLagMs = Math.max(maxLagMs, performance.now() - due);
    // An overloaded server is not given more: the window ends instead of growing without bound.
    if (performance.now() - due > (options.maxLagMs ?? 2000)) break;
    published++;
    const threadId = options.threads[i % options.threads.length] as string;
    const seq = perThread.get(threadId) ?? 0;
    perThread.set(threadId, seq + 1);
    // One post per thread at a time, as an agent posts a reply's deltas in order.
    const previous = lastPost.get(threadId) ?? Promise.resolve();
    let stamped = 0;
    const sent: Promise<unknown> = previous
      .then(() => {
        stamped = nowMicros();
        return publisher.postStamped(threadId, options.window, seq);
      })
      .then(
        (status) => {
          if (status !== 200) failed++;
          else answered.record(nowMicros() - stamped);
        },
        () => timedOut++,
      );
    inFlight.add(sent);
    lastPost.set(threadId, sent);
    void sent.finally(() => {
      inFlight.delete(sent);
      if (lastPost.get(threadId) === sent) lastPost.delete(threadId);
    });
  }
  await Promise.all(inFlight);
  return { perThread, published, failed, timedOut, skipped: total - published, maxLagMs, answered: answered.toData() };
}
