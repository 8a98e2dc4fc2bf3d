import { describe, expect, it } from "vitest";
import { recentHistory } from "./history-budget.ts";

const history = [
  { role: "user", text: "aaaa" },
  { role: "assistant", text: "bbbbbb" },
  { role: "user", text: "cc" },
  { role: "assistant", text: "ddd" },
] as const;

describe("history budget", () => {
  it("keeps the newest messages that fit, whole and oldest first", () => {
    expect(recentHistory(history, 5).map((m) => m.text)).toEqual(["cc", "ddd"]);
    expect(recentHistory(history, 10).map((m) => m.text)).toEqual(["cc", "ddd"]);
    expect(recentHistory(history, 11).map((m) => m.text)).toEqual(["bbbbbb", "cc", "ddd"]);
    expect(recentHistory(history, 1_000)).toEqual(history);
  });

  it("stops at the first message that does not fit, so the window has no holes", () => {
    expect(recentHistory(history, 2)).toEqual([]);
    expect(recentHistory(history, 0)).toEqual([]);
    expect(recentHistory([], 100)).toEqual([]);
  });
});
