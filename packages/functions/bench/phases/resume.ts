import { io } from "socket.io-client";
import { openPoll } from "../clients/poll-client.ts";
import { openSse } from "../clients/sse-client.ts";
import { POLL_INTERVAL_MS, subscribe } from "../clients/subscribe.ts";
import type { ResumeResult } from "../results.ts";
import { benchEvent, nowMicros, readDelivery, sleep, withTimeout } from "../shared.ts";
import type { RunContext } from "./context.ts";

const PUBLISH_BATCH = 200;

/** Takes one window's events: seq 0 (seen before going away), then counts 1..K in order. */
function collector(message: string, k: number) {
  let received = 0;
  let inOrder = true;
  let primed: () => void = () => {};
  let done: () => void = () => {};
  return {
    primed: new Promise<void>((resolve) => (primed = resolve)),
    all: new Promise<void>((resolve) => (done = resolve)),
    get received() {
      return received;
    },
    get inOrder() {
      return inOrder;
    },
    take(raw: unknown): boolean {
      const delivery = readDelivery(raw);
      if (delivery?.messageId !== message) return false;
      if (delivery.seq === 0) {
        primed();
        return true;
      }
      if (delivery.seq !== received + 1) inOrder = false;
      if (++received === k) done();
      return true;
    },
  };
}

type Collector = ReturnType<typeof collector>;
type Handle = { close(): void };

/**
 * Resume: a subscriber receives one event, goes away, K events are published, and it
 * comes back the way its design allows (Murmur: `Last-Event-ID` = the last id it got;
 * polling: its cursor; Socket.IO: connection state recovery; pub/sub: nothing). Timed
 * from the reconnect to the K-th missed event.
 */
export async function resume(ctx: RunContext, k: number): Promise<ResumeResult> {
  const [threadId] = (await ctx.threads(1)) as [string];
  const window = ctx.nextWindow("r");
  const got = collector(`m_${window}`, k);
  const post = async (from: number, count: number) => {
    for (let seq = from; seq < from + count; seq += PUBLISH_BATCH) {
      const size = Math.min(PUBLISH_BATCH, from + count - seq);
      const events = Array.from({ length: size }, (_, i) => benchEvent(threadId, window, seq + i, nowMicros()));
      const status = await ctx.publisher.post(threadId, events);
      if (status !== 200) throw new Error(`resume: webhook answered ${status}`);
    }
  };
  /** Publishes seq 0 and waits until the subscriber has it. */
  const prime = async () => {
    await post(0, 1);
    await withTimeout(got.primed, 10_000, "resume: the first event");
  };
  const timed = async (reconnect: () => Handle): Promise<ResumeResult> => {
    const started = performance.now();
    const handle = reconnect();
    try {
      await withTimeout(got.all, ctx.plan.resumeTimeoutMs, `resume of ${k}`);
      return { missed: k, ms: performance.now() - started, received: got.received, inOrder: got.inOrder };
    } catch {
      return { missed: k, ms: null, received: got.received, inOrder: got.inOrder, note: `${got.received} of ${k} arrived` };
    } finally {
      handle.close();
    }
  };
  const { origin } = ctx;
  const token = ctx.tokenFor(threadId);
  switch (ctx.spec.protocol) {
    case "murmur-sse": {
      const path = `/api/chats/sse/${threadId}`;
      const headers = { Authorization: `Bearer ${token}` };
      let lastId = "";
      const sse = (extra: Record<string, string>) =>
        openSse({
          origin,
          path,
          headers: { ...headers, ...extra },
          onOpen() {},
          onFrame: (frame) => {
            if (frame.event === "message.delta" && got.take(frame.data) && frame.id) lastId = frame.id;
          },
          onClose() {},
        });
      const first = sse({});
      await sleep(100);
      await prime();
      first.close();
      await post(1, k);
      return timed(() => sse({ "Last-Event-ID": lastId }));
    }
    case "poll": {
      const poller = (after: string) =>
        openPoll({
          origin,
          path: `/api/poll/${threadId}`,
          token,
          intervalMs: POLL_INTERVAL_MS,
          after,
          onReady() {},
          onEvents: (events) => {
            for (const event of events) got.take(event);
          },
          onClose() {},
        });
      const first = poller("0-0");
      await sleep(100);
      await post(0, 1);
      first.pollNow();
      await withTimeout(got.primed, 10_000, "resume: the first event");
      const cursor = first.cursor();
      first.close();
      await post(1, k);
      return timed(() => poller(cursor));
    }
    case "pubsub-sse": {
      const open = () =>
        new Promise<Handle>((resolve, reject) => {
          const handle = subscribe({
            protocol: "pubsub-sse",
            origin,
            threadId,
            token,
            onReady: () => void handle.then(resolve),
            onEvent: got.take,
            onClose: (error) => reject(error ?? new Error("closed")),
          });
        });
      const first = await open();
      await prime();
      first.close();
      await post(1, k);
      const again = await open();
      await sleep(1000);
      again.close();
      return { missed: k, ms: null, received: got.received, inOrder: got.inOrder, note: `no replay: ${k - got.received} of ${k} lost` };
    }
    case "socketio":
      return resumeSocketIo(origin, token, threadId, got, prime, () => post(1, k), timed);
  }
}

async function resumeSocketIo(
  origin: string,
  token: string,
  threadId: string,
  got: Collector,
  prime: () => Promise<void>,
  publishMissed: () => Promise<void>,
  timed: (reconnect: () => Handle) => Promise<ResumeResult>,
): Promise<ResumeResult> {
  const socket = io(origin, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    auth: { token },
    query: { thread: threadId },
  });
  let recovered = false;
  socket.on("connect", () => {
    recovered = socket.recovered;
  });
  socket.on("event", (event: unknown) => got.take(event));
  await withTimeout(new Promise((resolve) => socket.once("connect", () => resolve(null))), 10_000, "socket.io connect");
  await prime();
  // A dropped transport (not a deliberate disconnect) is what connection state recovery is for.
  socket.io.engine.close();
  await sleep(300);
  await publishMissed();
  const result = await timed(() => {
    socket.connect();
    return { close: () => socket.disconnect() };
  });
  return recovered ? result : { ...result, note: `not recovered; ${result.note ?? ""}`.trim() };
}
