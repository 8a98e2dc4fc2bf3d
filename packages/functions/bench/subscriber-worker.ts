import { serveParent, tellParent } from "./child-ipc.ts";
import { type Protocol, subscribe } from "./clients/subscribe.ts";
import { Histogram } from "./histogram.ts";
import { nowMicros, readDelivery, sleep } from "./shared.ts";

/**
 * A subscriber process: holds thousands of lightweight subscribers of one design, apart
 * from the server under test, and measures each delivery's latency from the publish
 * time the event carries. Checks order per subscriber: within a window every subscriber
 * should see seq 0, 1, 2, ... exactly once (I1).
 */
interface Subscriber {
  readonly threadId: string;
  close(): void;
  lastMessage: string;
  lastSeq: number;
  open: boolean;
}

const subscribers: Subscriber[] = [];
const histogram = new Histogram();
let windowMessage = "";
const counts = { delivered: 0, duplicates: 0, missing: 0, stray: 0, dropped: 0 };
let progressTimer: ReturnType<typeof setInterval> | undefined;

function onEvent(sub: Subscriber, raw: unknown): void {
  const delivery = readDelivery(raw);
  if (!delivery) return;
  if (delivery.messageId !== windowMessage) {
    counts.stray++;
    return;
  }
  histogram.record(nowMicros() - delivery.stampMicros);
  counts.delivered++;
  const expected = sub.lastMessage === windowMessage ? sub.lastSeq + 1 : 0;
  if (delivery.seq < expected) counts.duplicates++;
  else {
    counts.missing += delivery.seq - expected;
    sub.lastSeq = delivery.seq;
    sub.lastMessage = windowMessage;
  }
}

async function openOne(protocol: Protocol, origin: string, token: string, threadId: string, timeoutMs: number): Promise<string | null> {
  const sub: Subscriber = { threadId, close: () => {}, lastMessage: "", lastSeq: -1, open: false };
  let settle: (error: string | null) => void = () => {};
  const settled = new Promise<string | null>((resolve) => {
    settle = resolve;
  });
  const timer = setTimeout(() => settle(`no answer within ${timeoutMs} ms`), timeoutMs);
  try {
    const handle = await subscribe({
      protocol,
      origin,
      threadId,
      token,
      onReady: () => settle(null),
      onEvent: (event) => onEvent(sub, event),
      onClose: (error) => {
        if (sub.open) counts.dropped++;
        sub.open = false;
        settle(error?.message ?? "closed before ready");
      },
    });
    sub.close = handle.close;
  } catch (error) {
    settle(error instanceof Error ? error.message : String(error));
  }
  const error = await settled;
  clearTimeout(timer);
  if (error) {
    sub.close();
    return error;
  }
  sub.open = true;
  subscribers.push(sub);
  return null;
}

serveParent(
  {
    /** Opens one subscriber per entry of `threads` (with the token beside it in `tokens`), `concurrency` at a time, each within `timeoutMs`; stops early at `deadline` (epoch ms). */
    async open(payload) {
      const { protocol, origin, tokens, threads, concurrency, timeoutMs, deadline } = payload as {
        protocol: Protocol;
        origin: string;
        tokens: string[];
        threads: string[];
        concurrency: number;
        timeoutMs: number;
        deadline: number;
      };
      const errors: string[] = [];
      let next = 0;
      const opened: string[] = [];
      const lane = async () => {
        while (next < threads.length && Date.now() < deadline && errors.length < 50) {
          const index = next++;
          const threadId = threads[index] as string;
          const error = await openOne(
            protocol,
            origin,
            tokens[index] as string,
            threadId,
            Math.min(timeoutMs, Math.max(500, deadline - Date.now())),
          );
          if (error) errors.push(error);
          else opened.push(threadId);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
      return { opened, failed: errors.length, errors: [...new Set(errors)].slice(0, 3) };
    },
    /** Starts a measurement window: deliveries of `m_<id>` count from now on. */
    window({ window }) {
      windowMessage = `m_${String(window)}`;
      histogram.reset();
      for (const key of Object.keys(counts) as (keyof typeof counts)[]) counts[key] = 0;
      return true;
    },
    stats() {
      return { histogram: histogram.toData(), ...counts, open: subscribers.filter((s) => s.open).length };
    },
    /** While on, reports the lowest seq of the window every subscriber has reached, every `intervalMs`. */
    progress({ on, intervalMs }) {
      clearInterval(progressTimer);
      if (!on) return true;
      progressTimer = setInterval(() => {
        let min = Number.POSITIVE_INFINITY;
        for (const sub of subscribers) if (sub.open) min = Math.min(min, sub.lastMessage === windowMessage ? sub.lastSeq : -1);
        tellParent({ op: "progress", min: Number.isFinite(min) ? min : null });
      }, Number(intervalMs));
      return true;
    },
    async closeAll() {
      const all = subscribers.splice(0);
      for (const sub of all) {
        sub.open = false;
        sub.close();
      }
      await sleep(50);
      return all.length;
    },
  },
  {},
  async () => {
    for (const sub of subscribers) sub.close();
  },
);
