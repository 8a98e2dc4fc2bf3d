import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors/index.ts";
import { compareCursors, formatCursor, newEpoch, originCursor, parseCursor } from "./cursor.ts";

describe("cursors", () => {
  it("round-trips", () => {
    const cursor = { epoch: "k3x9", ms: 1700000000000, seq: 7 };
    expect(parseCursor(formatCursor(cursor))).toEqual(cursor);
    expect(formatCursor(originCursor("ab12"))).toBe("ab12:0-0");
  });

  it.each([
    "",
    "1700-0",
    "k3x9:1700",
    "K3X9:1-0",
    "k3x9:1-0 ",
    "k3x9:-1-0",
    "k3x9:1-0-0",
    "a:1.5-0",
    "toolongepoch00000:1-0",
    "k3x9:1-0\nid: x",
  ])("rejects %j", (value) => {
    expect(() => parseCursor(value)).toThrow(ValidationError);
  });

  it("orders by time then sequence", () => {
    const a = parseCursor("e:5-9");
    const b = parseCursor("e:6-0");
    expect(compareCursors(a, b)).toBeLessThan(0);
    expect(compareCursors(b, a)).toBeGreaterThan(0);
    expect(compareCursors(a, parseCursor("e:5-9"))).toBe(0);
  });

  it("makes distinct well-formed epochs", () => {
    const epochs = new Set(Array.from({ length: 100 }, newEpoch));
    expect(epochs.size).toBe(100);
    for (const epoch of epochs) expect(epoch).toMatch(/^[a-z0-9]{8}$/);
  });
});
