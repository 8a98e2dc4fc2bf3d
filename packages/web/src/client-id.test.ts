import { describe, expect, it } from "vitest";
import { browserClientId } from "./client-id.ts";

describe("browserClientId", () => {
  it("makes one id per browser and gives every tab the same", () => {
    localStorage.clear();
    const first = browserClientId();
    expect(first).toMatch(/^c_[0-9a-f]{32}$/);
    expect(browserClientId()).toBe(first);
    expect(localStorage.getItem("murmur:client")).toBe(first);
  });

  it("still gives an id when storage refuses", () => {
    const refusing = {
      getItem: () => {
        throw new Error("blocked");
      },
      setItem: () => undefined,
    };
    expect(browserClientId(refusing)).toMatch(/^c_/);
  });
});
