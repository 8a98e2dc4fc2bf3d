import { cleanup, render, screen } from "@solidjs/testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
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
});
