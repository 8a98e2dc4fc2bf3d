import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Composer } from "./Composer.tsx";

afterEach(cleanup);

function setup(onSend = vi.fn(async (_text: string, _messageId: string) => {})) {
  render(() => <Composer onSend={onSend} />);
  const box = screen.getByLabelText("Message") as HTMLTextAreaElement;
  const button = screen.getByRole("button", { name: "Send" }) as HTMLButtonElement;
  const type = (text: string) => fireEvent.input(box, { target: { value: text } });
  return { onSend, box, button, type };
}

describe("Composer", () => {
  it("is disabled while empty", () => {
    const { onSend, box, button, type } = setup();
    expect(button.disabled).toBe(true);
    fireEvent.keyDown(box, { key: "Enter" });
    type("   ");
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onSend).not.toHaveBeenCalled();
    type("hi");
    expect(button.disabled).toBe(false);
  });

  it("sends on Enter with a fresh message id, then clears", async () => {
    const { onSend, box, type } = setup();
    type("hello");
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onSend).toHaveBeenCalledTimes(1);
    expect(onSend).toHaveBeenCalledWith("hello", expect.stringMatching(/^m_[0-9a-f]{32}$/));
    await vi.waitFor(() => expect(box.value).toBe(""));
  });

  it("does not send while a reply streams: Enter keeps the draft and the button stops the reply", () => {
    const onSend = vi.fn(async (_text: string, _messageId: string) => {});
    const onStop = vi.fn();
    render(() => <Composer onSend={onSend} onStop={onStop} />);
    const box = screen.getByLabelText("Message") as HTMLTextAreaElement;
    fireEvent.input(box, { target: { value: "next question" } });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onSend).not.toHaveBeenCalled();
    expect(box.value).toBe("next question");
    fireEvent.click(screen.getByRole("button", { name: "Stop" }));
    expect(onStop).toHaveBeenCalledTimes(1);
  });

  it("keeps a draft per thread: switching away and back finds it, with its message id", async () => {
    const onSend = vi.fn(async (_text: string, _messageId: string) => {});
    const [thread, setThread] = createSignal("t_a");
    render(() => <Composer onSend={onSend} draftKey={thread()} />);
    const box = screen.getByLabelText("Message") as HTMLTextAreaElement;
    fireEvent.input(box, { target: { value: "half a thought for A" } });
    setThread("t_b");
    await vi.waitFor(() => expect(box.value).toBe(""));
    fireEvent.input(box, { target: { value: "for B" } });
    fireEvent.keyDown(box, { key: "Enter" });
    await vi.waitFor(() => expect(box.value).toBe(""));
    setThread("t_a");
    expect(box.value).toBe("half a thought for A");
    fireEvent.keyDown(box, { key: "Enter" });
    setThread("t_b");
    expect(box.value).toBe(""); // B's draft was sent
    expect(onSend.mock.calls.map((call) => call[0])).toEqual(["for B", "half a thought for A"]);
  });

  it("tells of each edit, so the thread's stream can be held while the person types", () => {
    const onTyping = vi.fn();
    render(() => <Composer onSend={vi.fn(async () => {})} onTyping={onTyping} />);
    const box = screen.getByLabelText("Message") as HTMLTextAreaElement;
    fireEvent.input(box, { target: { value: "h" } });
    fireEvent.input(box, { target: { value: "hi" } });
    expect(onTyping).toHaveBeenCalledTimes(2);
  });

  it("does not send on Shift+Enter", () => {
    const { onSend, box, type } = setup();
    type("line one");
    fireEvent.keyDown(box, { key: "Enter", shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
  });

  it("shows the server's message when a send fails, and retries with the same id", async () => {
    const onSend = vi.fn(async (_text: string, _messageId: string) => {});
    onSend.mockRejectedValueOnce(new Error("thread not found"));
    const { box, type } = setup(onSend);
    type("hello");
    fireEvent.keyDown(box, { key: "Enter" });
    expect((await screen.findByRole("alert")).textContent).toBe("thread not found");
    expect(box.value).toBe("hello");

    fireEvent.keyDown(box, { key: "Enter" });
    await vi.waitFor(() => expect(box.value).toBe(""));
    expect(screen.queryByRole("alert")).toBeNull();
    expect(onSend.mock.calls[1]?.[1]).toBe(onSend.mock.calls[0]?.[1]);
  });
});
