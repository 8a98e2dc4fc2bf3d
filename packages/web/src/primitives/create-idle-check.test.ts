import { createRoot } from "solid-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createIdleCheck } from "./create-idle-check.ts";

let visibility: DocumentVisibilityState = "visible";
const setVisibility = (next: DocumentVisibilityState) => {
  visibility = next;
  document.dispatchEvent(new Event("visibilitychange"));
};

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  visibility = "visible";
});

describe("createIdleCheck", () => {
  it("checks every interval while visible, at once on focus and when shown, never while hidden", () => {
    vi.useFakeTimers();
    vi.spyOn(document, "visibilityState", "get").mockImplementation(() => visibility);
    const check = vi.fn();
    const dispose = createRoot((dispose) => {
      createIdleCheck(1000, check);
      return dispose;
    });
    vi.advanceTimersByTime(999);
    expect(check).toHaveBeenCalledTimes(0);
    vi.advanceTimersByTime(1);
    expect(check).toHaveBeenCalledTimes(1);
    window.dispatchEvent(new Event("focus"));
    expect(check).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(999); // focus restarted the interval
    expect(check).toHaveBeenCalledTimes(2);
    setVisibility("hidden");
    vi.advanceTimersByTime(10_000);
    expect(check).toHaveBeenCalledTimes(2);
    setVisibility("visible");
    expect(check).toHaveBeenCalledTimes(3);
    dispose();
    expect(vi.getTimerCount()).toBe(0);
    window.dispatchEvent(new Event("focus"));
    vi.advanceTimersByTime(10_000);
    expect(check).toHaveBeenCalledTimes(3);
  });
});
