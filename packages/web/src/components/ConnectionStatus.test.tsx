import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LiveStatus } from "../primitives/create-live-thread.ts";
import { ConnectionStatus } from "./ConnectionStatus.tsx";

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("ConnectionStatus", () => {
  it("counts down to the next reconnect attempt", () => {
    vi.useFakeTimers();
    vi.setSystemTime(100_000);
    render(() => <ConnectionStatus status="offline" retryAt={103_000} />);
    expect(screen.getByRole("status").textContent).toBe("Offline · retrying in 3 s");
    vi.advanceTimersByTime(1000);
    expect(screen.getByRole("status").textContent).toBe("Offline · retrying in 2 s");
  });

  it("names each state in words", () => {
    render(() => <ConnectionStatus status="paused" />);
    expect(screen.getByRole("status").textContent).toBe("Paused while hidden");
  });

  it('says "Live" only while a stream is open, and when idle, since when the thread is known current', () => {
    const asOf = new Date(2025, 0, 2, 9, 5, 7).getTime();
    const [status, setStatus] = createSignal<LiveStatus>("live");
    render(() => <ConnectionStatus status={status()} asOf={asOf} />);
    expect(screen.getByRole("status").textContent).toBe("Live");
    setStatus("idle");
    expect(screen.getByRole("status").textContent).toBe("Idle · up to date as of 09:05:07");
    expect(screen.getByRole("status").dataset.status).toBe("idle");
  });

  it('says just "Idle" before anything proved the thread current', () => {
    render(() => <ConnectionStatus status="idle" asOf={null} />);
    expect(screen.getByRole("status").textContent).toBe("Idle");
  });

  it("counts down each second only while offline, offers Retry now there, and says when a try is under way", () => {
    vi.useFakeTimers();
    vi.setSystemTime(100_000);
    const onRetry = vi.fn();
    const [status, setStatus] = createSignal<LiveStatus>("reconnecting");
    const [retryAt, setRetryAt] = createSignal<number | null>(101_000);
    render(() => <ConnectionStatus status={status()} retryAt={retryAt()} onRetry={onRetry} />);
    expect(screen.getByRole("status").textContent).toBe("Reconnecting…");
    expect(screen.queryByRole("button", { name: "Retry now" })).toBeNull();
    setStatus("offline");
    setRetryAt(112_000);
    expect(screen.getByRole("status").textContent).toBe("Offline · retrying in 12 s");
    vi.advanceTimersByTime(1000);
    expect(screen.getByRole("status").textContent).toBe("Offline · retrying in 11 s");
    fireEvent.click(screen.getByRole("button", { name: "Retry now" }));
    expect(onRetry).toHaveBeenCalledTimes(1);
    setRetryAt(null);
    expect(screen.getByRole("status").textContent).toBe("Offline · retrying now");
    setStatus("live");
    expect(screen.getByRole("status").textContent).toBe("Live");
    expect(screen.queryByRole("button", { name: "Retry now" })).toBeNull();
  });

  it("keeps the countdown out of what screen readers announce; the state's word is announced", () => {
    render(() => <ConnectionStatus status="offline" retryAt={Date.now() + 5000} />);
    const status = screen.getByRole("status");
    const countdown = status.querySelector("[aria-live=off]");
    expect(countdown?.textContent).toMatch(/^ · retrying in \d s$/);
    expect(status.textContent?.startsWith("Offline")).toBe(true);
  });
});
