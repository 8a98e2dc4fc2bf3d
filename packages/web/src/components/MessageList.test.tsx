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

  it("renders assistant Markdown, keeps user text plain, and announces the finished reply", async () => {
    const { container } = render(() => (
      <MessageList messages={[user, reply({ text: "**bold** and `code`", status: "complete" })]} onRetry={vi.fn()} />
    ));
    expect(container.querySelector('[data-role="user"] .text')?.textContent).toBe("**not markdown** <b>x</b>");
    expect(container.querySelector('[data-role="user"] b')).toBeNull();
    await vi.waitFor(() => expect(container.querySelector(".markdown strong")?.textContent).toBe("bold"));
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

describe("message actions", () => {
  it("copies any message, edits the last one, regenerates the last reply as the next attempt", async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
    const onEdit = vi.fn();
    const onRegenerate = vi.fn();
    const done = reply({ status: "complete", text: "the answer" });
    render(() => <MessageList messages={[user, done]} onRetry={vi.fn()} onEdit={onEdit} onRegenerate={onRegenerate} now={10_000} />);
    fireEvent.click(screen.getAllByRole("button", { name: "Copy message" })[1] as HTMLElement);
    expect(writeText).toHaveBeenCalledWith("the answer");
    await screen.findByRole("button", { name: "Copied" });
    fireEvent.click(screen.getByRole("button", { name: "Edit message" }));
    expect(onEdit).toHaveBeenCalledWith(user.text);
    fireEvent.click(screen.getByRole("button", { name: "Regenerate reply" }));
    expect(onRegenerate).toHaveBeenCalledWith("m_1", 1);
    // The exact time is on hover; the relative one is shown.
    const time = document.querySelector('[data-role="user"] time') as HTMLTimeElement;
    expect(time.dateTime).toBe(new Date(1).toISOString());
    expect(time.title).not.toBe("");
  });

  it("offers neither edit nor regenerate while a reply streams", () => {
    render(() => <MessageList messages={[user, reply({ text: "partial" })]} onRetry={vi.fn()} onEdit={vi.fn()} onRegenerate={vi.fn()} />);
    expect(screen.queryByRole("button", { name: "Edit message" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Regenerate reply" })).toBeNull();
  });
});
