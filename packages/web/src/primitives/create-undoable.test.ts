import { createRoot } from "solid-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createUndoable } from "./create-undoable.ts";

afterEach(() => vi.useRealTimers());

describe("createUndoable", () => {
  it("runs a held action after the delay unless undone, at once when the page goes, and nothing after disposal", () => {
    vi.useFakeTimers();
    const ran: [string, boolean][] = [];
    createRoot((dispose) => {
      const undoable = createUndoable(5000);
      const run = (key: string) => undoable.hold(key, ({ leaving }) => ran.push([key, leaving]));
      run("a");
      run("b");
      run("a"); // held already
      expect(undoable.pending()).toEqual(["a", "b"]);
      expect(undoable.undo("b")).toBe(true);
      expect(undoable.undo("b")).toBe(false);
      vi.advanceTimersByTime(4999);
      expect(ran).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(ran).toEqual([["a", false]]);
      expect(undoable.pending()).toEqual([]);
      run("c");
      window.dispatchEvent(new Event("pagehide"));
      expect(ran.at(-1)).toEqual(["c", true]);
      run("d");
      dispose();
      vi.advanceTimersByTime(10_000);
      expect(ran.map(([key]) => key)).toEqual(["a", "c"]);
    });
  });
});
