import type { ChatMessage } from "@murmur/core/chat";
import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MessageList } from "./MessageList.tsx";

afterEach(cleanup);

const user: ChatMessage = { id: "m_1", role: "user", text: "**not markdown** <b>x</b>", status: "complete", createdAt: 1 };
const reply = (over: Partial<ChatMessage>): ChatMessage => ({
  id: "a_1",
  role: "assistant",
  text: "",
  status: "streaming",
  createdAt: 2,
  runId: "r_1",
  agent: "demo",
  replyTo: "m_1",
  ...over,
});

describe("MessageList", () => {
  it('shows "Thinking…" from run.started until the first delta, then the text with a caret', () => {
    const { container, unmount } = render(() => <MessageList messages={[user, reply({})]} onRetry={vi.fn()} />);
    expect(screen.getByText("Thinking…")).toBeTruthy();
    unmount();
    const streaming = render(() => <MessageList messages={[user, reply({ text: "Hel" })]} onRetry={vi.fn()} />);
    expect(streaming.container.querySelector(".markdown p")?.textContent).toBe("Hel");
    expect(streaming.container.querySelector(".markdown p .caret")).not.toBeNull();
    expect(container.querySelector(".thinking")).toBeNull();
  });

  it("renders assistant Markdown, keeps user text plain, and announces the finished reply", () => {
    const { container } = render(() => (
      <MessageList messages={[user, reply({ text: "**bold** and `code`", status: "complete" })]} onRetry={vi.fn()} />
    ));
    expect(container.querySelector('[data-role="user"] .text')?.textContent).toBe("**not markdown** <b>x</b>");
    expect(container.querySelector('[data-role="user"] b')).toBeNull();
    expect(container.querySelector(".markdown strong")?.textContent).toBe("bold");
    expect(container.querySelector(".caret")).toBeNull();
    expect(container.querySelector("[aria-live]")?.textContent).toBe("Demo responder replied: **bold** and `code`");
  });

  it("offers a retry on the newest failed reply only, with the user message id", () => {
    const onRetry = vi.fn();
    const failed = reply({ status: "failed", text: "par", error: { reason: "stopped by you", retryable: true, kind: "stopped" } });
    const older = { ...failed, id: "a_0", runId: "r_0" };
    render(() => <MessageList messages={[user, older, failed]} onRetry={onRetry} />);
    const buttons = screen.getAllByRole("button", { name: "Retry" });
    expect(buttons).toHaveLength(1);
    expect(screen.getAllByText("Stopped.")).toHaveLength(2);
    fireEvent.click(buttons[0] as HTMLElement);
    expect(onRetry).toHaveBeenCalledWith("m_1");
  });

  it("offers no retry for a failure that cannot be retried", () => {
    render(() => (
      <MessageList messages={[user, reply({ status: "failed", error: { reason: "too long", retryable: false } })]} onRetry={vi.fn()} />
    ));
    expect(screen.getByText("Failed: too long")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Retry" })).toBeNull();
  });
});
