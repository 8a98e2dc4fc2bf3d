import { describe, expect, it } from "vitest";
import { NotFoundError, ValidationError } from "../errors/index.ts";
import { createMemoryEventLog } from "../event-log/memory.ts";
import { createIngest, MAX_EVENTS_PER_BATCH } from "./ingest.ts";

const delta = (seq: number, extra: object = {}) => ({
  id: `r:d:${seq}`,
  threadId: "t_1",
  at: 1,
  type: "message.delta",
  runId: "r",
  messageId: "a",
  seq,
  text: "x",
  ...extra,
});

async function setup() {
  const log = createMemoryEventLog();
  await log.createThread({ id: "t_1", owner: "s", createdAt: 1 });
  return { log, ingest: createIngest(log) };
}

describe("ingestion", () => {
  it("appends a batch in order and reports duplicates", async () => {
    const { log, ingest } = await setup();
    const first = await ingest("t_1", [delta(0), delta(1)]);
    expect(first.map((r) => [r.id, r.duplicate])).toEqual([
      ["r:d:0", false],
      ["r:d:1", false],
    ]);
    const again = await ingest("t_1", [delta(1), delta(2)]);
    expect(again.map((r) => r.duplicate)).toEqual([true, false]);
    const read = await log.read("t_1", null, 100);
    expect(read.kind === "events" && read.events.length).toBe(3);
  });

  it("rejects the whole batch when one event is invalid, writing nothing", async () => {
    const { log, ingest } = await setup();
    await expect(ingest("t_1", [delta(0), delta(1, { seq: -1 }), delta(2, { threadId: "t_2" })])).rejects.toThrow(
      /events\[1\]\.seq: .*events\[2\]\.threadId: must be t_1/,
    );
    await expect(ingest("t_1", [])).rejects.toBeInstanceOf(ValidationError);
    await expect(
      ingest(
        "t_1",
        Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, (_, i) => delta(i)),
      ),
    ).rejects.toThrow(/at most 500/);
    expect(await log.read("t_1", null, 100)).toMatchObject({ events: [] });
  });

  it("refuses an unknown thread", async () => {
    const { ingest } = await setup();
    await expect(ingest("t_9", [delta(0, { threadId: "t_9" })])).rejects.toBeInstanceOf(NotFoundError);
  });
});
