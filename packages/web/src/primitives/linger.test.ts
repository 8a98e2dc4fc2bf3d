import { afterEach, describe, expect, it, vi } from "vitest";
import { makeLinger } from "./linger.ts";

afterEach(() => vi.useRealTimers());

describe("makeLinger", () => {
  it("holds while any reason holds it, then lingers, then lets go once", () => {
    vi.useFakeTimers();
    const changes: boolean[] = [];
    const linger = makeLinger(1000, (active) => changes.push(active));
    linger.hold("reply");
    linger.hold("typing");
    linger.release("reply");
    vi.advanceTimersByTime(5000);
    expect(linger.active()).toBe(true); // typing still holds it
    linger.release("typing");
    vi.advanceTimersByTime(999);
    expect(linger.active()).toBe(true);
    vi.advanceTimersByTime(1);
    expect(linger.active()).toBe(false);
    expect(changes).toEqual([true, false]);
    linger.release("typing"); // not held: no new linger
    expect(vi.getTimerCount()).toBe(0);
  });

  it("is extended by each pulse, and a hold in the linger keeps it without a second change", () => {
    vi.useFakeTimers();
    const changes: boolean[] = [];
    const linger = makeLinger(1000, (active) => changes.push(active));
    linger.pulse();
    vi.advanceTimersByTime(800);
    linger.pulse();
    vi.advanceTimersByTime(800);
    expect(linger.active()).toBe(true);
    linger.hold("reply");
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    linger.release("reply");
    vi.advanceTimersByTime(1000);
    expect(changes).toEqual([true, false]);
  });

  it("stops on dispose", () => {
    vi.useFakeTimers();
    const onChange = vi.fn();
    const linger = makeLinger(1000, onChange);
    linger.pulse();
    linger.dispose();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(2000);
    expect(onChange).toHaveBeenCalledTimes(1);
  });
});
