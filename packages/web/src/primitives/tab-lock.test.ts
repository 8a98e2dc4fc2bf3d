import { describe, expect, it, vi } from "vitest";
import { FakeTabs } from "../testing/fakes.ts";
import { makeLock } from "./tab-lock.ts";

describe("makeLock", () => {
  it("holds the lock until let go, then the next tab in line gets it; a tab that stops waiting never does", async () => {
    const tabs = new FakeTabs();
    const onA = vi.fn();
    const onB = vi.fn();
    const onC = vi.fn();
    const releaseA = makeLock(tabs.locks("a"), "murmur:leader", onA);
    const stopB = makeLock(tabs.locks("b"), "murmur:leader", onB);
    makeLock(tabs.locks("c"), "murmur:leader", onC);
    await tabs.settle();
    expect(onA).toHaveBeenCalledTimes(1);
    stopB();
    releaseA();
    await tabs.settle();
    expect(onB).not.toHaveBeenCalled();
    expect(onC).toHaveBeenCalledTimes(1);
    expect(tabs.holder("murmur:leader")).toBe("c");
  });

  it("says so when the browser refuses the request", async () => {
    const refusing = { request: () => Promise.reject(new DOMException("no locks here", "SecurityError")) };
    const onRefused = vi.fn();
    makeLock(refusing, "murmur:leader", vi.fn(), onRefused);
    await vi.waitFor(() => expect(onRefused).toHaveBeenCalledTimes(1));
  });
});
