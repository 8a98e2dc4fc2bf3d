import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { testConfig } from "../testing/config.ts";
import { type LocalServer, startLocalServer } from "./start.ts";

// A client that opens a stream on a busy thread and never reads: its queue is bounded
// (SSE_MAX_BUFFER_BYTES), it is let go with `close` slow_client, and what the server holds
// for it does not follow what the thread pushes (I7).

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const MB = 1024 * 1024;

describe("a client that stops reading", () => {
  it("is let go once its queue passes the bound, while a reading client of the same thread gets everything", async () => {
    server = await startLocalServer(testConfig({ SSE_MAX_BUFFER_BYTES: String(MB) }), { webDist: "/nonexistent" });
    const { deps, url } = server;
    const port = Number(new URL(url).port);
    const { token } = await (await fetch(`${url}/api/session`, { method: "POST" })).json();
    const owner = (await deps.sessions.verify(token)).sessionId;
    const threadId = "t_slowreader";
    await deps.log.createThread({ id: threadId, owner, createdAt: Date.now() });
    const open = (onData?: (chunk: Buffer) => void): Socket => {
      const socket = connect(port, "127.0.0.1", () =>
        socket.write(
          `GET /api/chats/sse/${threadId} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`,
        ),
      );
      if (onData) socket.on("data", onData);
      return socket;
    };
    // The slow one reads nothing at all after connecting; the other reads everything.
    const slow = open();
    slow.pause();
    let fastBytes = 0;
    let carry = "";
    let sawLast = false;
    let caughtUp: { bytes: number; resolve: () => void } | null = null;
    const fast = open((chunk) => {
      fastBytes += chunk.length;
      const text = carry + chunk.toString("latin1");
      sawLast ||= text.includes('"seq":799');
      carry = text.slice(-64);
      if (caughtUp && fastBytes >= caughtUp.bytes) caughtUp.resolve();
    });
    // The reading client keeps up: the next delta goes in once it has read the last one
    // (client and server share this process, so without pacing it would fall behind too).
    const received = (bytes: number) =>
      fastBytes >= bytes ? Promise.resolve() : new Promise<void>((resolve) => (caughtUp = { bytes, resolve }));
    await expect.poll(() => deps.streams.current, { timeout: 5000 }).toBe(2);

    // 40 MB through the thread: 800 deltas of 50 KB.
    const text = "x".repeat(50 * 1024);
    let closedAt: number | undefined;
    for (let seq = 0; seq < 800; seq++) {
      const start = fastBytes;
      await deps.ingest(threadId, [{ id: `r:d:${seq}`, threadId, at: 1, type: "message.delta", runId: "r", messageId: "a", seq, text }]);
      await received(start + text.length);
      if (closedAt === undefined && deps.streams.current === 1) closedAt = fastBytes;
    }
    // The slow client's stream is let go; the reading one stays and receives all 40 MB.
    await expect.poll(() => deps.streams.current, { timeout: 10_000, message: "the slow stream closed" }).toBe(1);
    expect(fastBytes).toBeGreaterThan(800 * text.length);
    expect(sawLast).toBe(true);
    // It was let go early: after the bound and what the kernel's loopback buffers hold
    // (about 4 MB here), not after the 40 MB the thread carried.
    expect(closedAt).toBeDefined();
    expect(closedAt).toBeLessThan(MB + 8 * MB);
    slow.destroy();
    fast.destroy();
  });
});
