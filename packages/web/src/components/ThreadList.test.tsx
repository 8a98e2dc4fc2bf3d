import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ThreadRecord } from "../api.ts";
import { isUnread, ThreadList } from "./ThreadList.tsx";

afterEach(cleanup);

const thread = (id: string, over: Partial<ThreadRecord> = {}): ThreadRecord => ({
  id,
  owner: "s_1",
  title: `chat ${id}`,
  createdAt: 1,
  updatedAt: 10,
  ...over,
});

describe("ThreadList", () => {
  it("badges threads with activity after the last read, except the open one", () => {
    const threads = [thread("t_1"), thread("t_2", { readAt: 5 }), thread("t_3", { readAt: 20 }), thread("t_4", { title: null })];
    expect(threads.map(isUnread)).toEqual([true, true, false, false]);
    const { container } = render(() => <ThreadList threads={threads} activeId="t_1" onSelect={vi.fn()} onNew={vi.fn()} />);
    const unread = [...container.querySelectorAll("[data-unread] .thread-title")].map((e) => e.textContent);
    expect(unread).toEqual(["chat t_2"]);
    expect(screen.getByRole("link", { name: /chat t_2.*unread/ })).toBeTruthy();
  });

  it("links each thread to its URL and selects it in place on a plain click", () => {
    const onSelect = vi.fn();
    render(() => <ThreadList threads={[thread("t_1")]} activeId={undefined} onSelect={onSelect} onNew={vi.fn()} />);
    const link = screen.getByRole("link", { name: /chat t_1/ });
    expect(link.getAttribute("href")).toBe("/t/t_1");
    fireEvent.click(link);
    expect(onSelect).toHaveBeenCalledWith("t_1");
  });
});
