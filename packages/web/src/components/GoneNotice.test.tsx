import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GoneNotice, goneText } from "./GoneNotice.tsx";

afterEach(cleanup);

describe("GoneNotice", () => {
  it("says plainly that a server without persistence restarted and the chat is gone, and offers a new chat", () => {
    const onNew = vi.fn();
    render(() => <GoneNotice code="not_found" persistent={false} onNew={onNew} creating={false} />);
    const notice = screen.getByRole("alert");
    expect(notice.textContent).toBe(
      "This chat is gone: the server restarted without saving chats (no REDIS_URL).Start a new chat.New chat",
    );
    fireEvent.click(screen.getByRole("button", { name: "New chat" }));
    expect(onNew).toHaveBeenCalledTimes(1);
  });

  it("words each cause as the server tells it", () => {
    expect(goneText("not_found", true)).toBe("This chat no longer exists: it was deleted, or the server lost it.");
    expect(goneText("not_found", null)).toBe(goneText("not_found", true)); // a server that does not say
    expect(goneText("forbidden", false)).toMatch(/^This chat belongs to another session/);
  });

  it("disables New chat while one is being made", () => {
    render(() => <GoneNotice code="not_found" persistent={false} onNew={() => {}} creating={true} />);
    expect((screen.getByRole("button", { name: "New chat" }) as HTMLButtonElement).disabled).toBe(true);
  });
});
