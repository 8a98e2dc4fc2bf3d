import { afterEach, describe, expect, it, vi } from "vitest";
import { BACKOFF_CAP_MS, backoffDelay, makeRetrySchedule, OFFLINE_AFTER_MS, type RetryStatus } from "./backoff.ts";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("backoffDelay", () => {
  it("doubles from 1 s to the 30 s cap, each delay within the upper half of its back-off", () => {
    const backoffs = [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000];
    for (const [failures, backoff] of backoffs.entries()) {
      expect(backoffDelay(failures, () => 0)).toBe(backoff / 2);
      expect(backoffDelay(failures, () => 0.999_999)).toBe(backoff);
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay(failures);
        expect(delay).toBeGreaterThanOrEqual(backoff / 2);
        expect(delay).toBeLessThanOrEqual(backoff);
      }
    }
    expect(backoffDelay(1000, () => 0.999_999)).toBe(BACKOFF_CAP_MS); // no overflow however long it fails
  });

  it("spreads the clients one failure disconnected (jitter): not all at the same moment", () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(3)));
    expect(delays.size).toBeGreaterThan(10);
  });
});

function setup(random = () => 0.999_999) {
  const statuses: RetryStatus[] = [];
  const retry = vi.fn();
  const lost = vi.fn();
  const schedule = makeRetrySchedule({ retry, lost, status: (s) => statuses.push(s), random });
  return { schedule, statuses, retry, lost, last: () => statuses.at(-1) };
}

describe("makeRetrySchedule", () => {
  it("retries after 1 s, 2 s, 4 s…, says reconnecting, then offline once failures last OFFLINE_AFTER_MS, with the next try's time", () => {
    vi.useFakeTimers();
    vi.setSystemTime(100_000);
    const { schedule, retry, last } = setup();
    const tries: number[] = [];
    retry.mockImplementation(() => {
      tries.push(Date.now() - 100_000);
      schedule.failed();
    });
    schedule.failed();
    expect(last()).toEqual({ status: "reconnecting", retryAt: 101_000 });
    vi.advanceTimersByTime(OFFLINE_AFTER_MS - 1);
    expect(tries).toEqual([1000, 3000, 7000]);
    expect(last()).toEqual({ status: "reconnecting", retryAt: 115_000 }); // the next try is 8 s after the third
    vi.advanceTimersByTime(1); // escalates on time, between two tries
    expect(last()).toEqual({ status: "offline", retryAt: 115_000 });
    vi.advanceTimersByTime(20_000);
    expect(tries).toEqual([1000, 3000, 7000, 15_000]);
    expect(last()).toEqual({ status: "offline", retryAt: 131_000 });
    schedule.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("starts from the base again after a success, and says reconnecting again", () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const { schedule, retry, last } = setup();
    schedule.failed();
    vi.advanceTimersByTime(1000);
    schedule.failed();
    vi.advanceTimersByTime(12_000);
    schedule.failed();
    expect(last()?.status).toBe("offline");
    schedule.succeeded();
    expect(schedule.failing()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    schedule.failed();
    expect(last()).toEqual({ status: "reconnecting", retryAt: Date.now() + 1000 });
    expect(retry).toHaveBeenCalledTimes(2);
  });

  it("Retry now tries at once (and says a try is under way), and does nothing while nothing fails", () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const { schedule, retry, last } = setup();
    schedule.now();
    expect(retry).not.toHaveBeenCalled();
    schedule.failed();
    vi.advanceTimersByTime(OFFLINE_AFTER_MS);
    schedule.failed();
    schedule.now();
    expect(retry).toHaveBeenCalledTimes(2);
    expect(last()).toEqual({ status: "offline", retryAt: null });
    vi.advanceTimersByTime(60_000);
    expect(retry).toHaveBeenCalledTimes(2); // the scheduled try was replaced, not added to
  });

  it("says offline at once when the browser goes offline (dropping a working connection), and tries at once when it is back", () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const { schedule, retry, lost, last } = setup();
    const onLine = vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    window.dispatchEvent(new Event("offline"));
    expect(lost).toHaveBeenCalledTimes(1);
    expect(last()).toEqual({ status: "offline", retryAt: 1000 });
    onLine.mockReturnValue(true);
    window.dispatchEvent(new Event("online"));
    expect(retry).toHaveBeenCalledTimes(1);
    schedule.dispose();
    window.dispatchEvent(new Event("online"));
    window.dispatchEvent(new Event("offline"));
    expect(retry).toHaveBeenCalledTimes(1);
    expect(lost).toHaveBeenCalledTimes(1);
  });
});
