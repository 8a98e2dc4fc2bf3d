import { describe, expect, it } from "vitest";
import { runSlowReaderProbe } from "../testing/slow-reader-probe.ts";

// A client that opens a stream on a busy thread and never reads: its queue is bounded
// (SSE_MAX_BUFFER_BYTES), it is let go with `close` slow_client, and the server's RSS does
// not follow what the thread pushes (I7). Each run is a server process of its own.

const MB = 1024 * 1024;

describe("a client that stops reading", () => {
  it("is let go once its queue passes the bound; a reading client of the same thread gets everything; RSS stays bounded", async () => {
    const bounded = await runSlowReaderProbe(MB, 40);
    // The reading client took all 40 MB, at its own pace, while the other read nothing.
    expect(bounded.fastBytes).toBeGreaterThan(bounded.pushedBytes);
    // The slow one was let go after the bound and what the kernel's loopback buffers take
    // (about 4 MB here), not after the 40 MB the thread carried.
    expect(bounded.slowClosedAfterBytes).not.toBeNull();
    expect(bounded.slowClosedAfterBytes).toBeLessThan(MB + 8 * MB);
    // What stays: the log's last 100 events (5 MB), the bound, and V8's heap slack.
    expect(bounded.arrayBufferGrowthBytes).toBeLessThan(10 * MB);
    expect(bounded.rssGrowthBytes).toBeLessThan(25 * MB);

    // The same load with a bound above it (so, none) shows what the measure sees when a
    // stream queues without limit: the pushed megabytes stay in the process.
    const unbounded = await runSlowReaderProbe(64 * MB, 40);
    expect(unbounded.slowClosedAfterBytes).toBeNull();
    expect(unbounded.arrayBufferGrowthBytes).toBeGreaterThan(30 * MB);
    expect(unbounded.rssGrowthBytes).toBeGreaterThan(bounded.rssGrowthBytes + 20 * MB);
  }, 120_000);
});
