import { describe, expect, it } from "vitest";
import { compareWireCursors } from "./cursor-order.ts";

describe("compareWireCursors", () => {
  it("orders positions of one epoch by time, then sequence", () => {
    expect(compareWireCursors("ep:10-0", "ep:9-5")).toBeGreaterThan(0);
    expect(compareWireCursors("ep:10-1", "ep:10-2")).toBeLessThan(0);
    expect(compareWireCursors("ep:10-2", "ep:10-2")).toBe(0);
  });

  it("cannot order cursors of two epochs, nor a string that is not a cursor", () => {
    expect(compareWireCursors("aa:1-0", "bb:2-0")).toBeNaN();
    expect(compareWireCursors("ep:1-0", "nonsense")).toBeNaN();
  });
});
