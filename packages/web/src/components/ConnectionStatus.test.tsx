import { cleanup, render, screen } from "@solidjs/testing-library";
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
});
