import { createRoot } from "solid-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHiddenFor } from "./create-hidden-for.ts";

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

describe("createHiddenFor", () => {
  it("turns true only after the page stayed hidden for the whole time, and false once shown", () => {
    vi.useFakeTimers();
    vi.spyOn(document, "visibilityState", "get").mockImplementation(() => visibility);
    const { hidden, dispose } = createRoot((dispose) => ({ hidden: createHiddenFor(1000), dispose }));
    setVisibility("hidden");
    vi.advanceTimersByTime(600);
    setVisibility("visible");
    setVisibility("hidden");
    vi.advanceTimersByTime(999);
    expect(hidden()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(hidden()).toBe(true);
    setVisibility("visible");
    expect(hidden()).toBe(false);
    setVisibility("hidden");
    dispose();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(hidden()).toBe(false);
  });
});
