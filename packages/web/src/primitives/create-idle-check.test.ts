import { createRoot } from "solid-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { OFFLINE_AFTER_MS, type RetryStatus } from "./backoff.ts";
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

describe("createIdleCheck, when checks fail", () => {
  it("backs off (1 s, 2 s, 4 s…) instead of waiting the interval, says reconnecting then offline, and goes back to the interval once one works", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    vi.spyOn(document, "visibilityState", "get").mockImplementation(() => visibility);
    const statuses: (RetryStatus | null)[] = [];
    let reachable = false;
    const at: number[] = [];
    const check = vi.fn(async () => {
      at.push(Date.now());
      return reachable;
    });
    const { dispose, idle } = createRoot((dispose) => ({
      dispose,
      idle: createIdleCheck(60_000, check, { onStatus: (s) => statuses.push(s), random: () => 0.999_999 }),
    }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(statuses.at(-1)).toEqual({ status: "reconnecting", retryAt: 61_000 });
    await vi.advanceTimersByTimeAsync(OFFLINE_AFTER_MS);
    expect(at).toEqual([60_000, 61_000, 63_000, 67_000]);
    expect(statuses.at(-1)).toEqual({ status: "offline", retryAt: 75_000 });

    reachable = true;
    idle.now(); // Retry now
    await vi.advanceTimersByTimeAsync(0);
    expect(statuses.at(-1)).toBeNull();
    expect(at).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(at).toHaveLength(5); // the back-off's try was dropped: the interval again
    await vi.advanceTimersByTimeAsync(1);
    expect(at).toHaveLength(6);
    dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("says offline at once when the browser goes offline, and checks at once when it is back", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const onLine = vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    const statuses: (RetryStatus | null)[] = [];
    const check = vi.fn(async () => true);
    const dispose = createRoot((dispose) => {
      createIdleCheck(60_000, check, { onStatus: (s) => statuses.push(s) });
      return dispose;
    });
    window.dispatchEvent(new Event("offline"));
    expect(statuses.at(-1)?.status).toBe("offline");
    onLine.mockReturnValue(true);
    window.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(0);
    expect(check).toHaveBeenCalledTimes(1);
    expect(statuses.at(-1)).toBeNull();
    dispose();
  });
});
