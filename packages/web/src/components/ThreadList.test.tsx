import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ThreadRecord } from "../api.ts";
import { isUnread, matchesQuery, ThreadList } from "./ThreadList.tsx";

afterEach(cleanup);

const thread = (id: string, over: Partial<ThreadRecord> = {}): ThreadRecord => ({
  id,
  owner: "s_1",
  title: `chat ${id}`,
  createdAt: 1,
  updatedAt: 10,
  ...over,
});

const base = {
  onSelect: vi.fn(),
  onNew: vi.fn(),
  onRename: vi.fn(async () => undefined),
  onDelete: vi.fn(),
  query: "",
  onQuery: vi.fn(),
  hasMore: false,
  loadingMore: false,
  onMore: vi.fn(),
  now: 10,
};

describe("ThreadList", () => {
  it("badges threads with activity after the last read, except the open one", () => {
    const threads = [thread("t_1"), thread("t_2", { readAt: 5 }), thread("t_3", { readAt: 20 }), thread("t_4", { title: null })];
    expect(threads.map(isUnread)).toEqual([true, true, false, false]);
    const { container } = render(() => <ThreadList {...base} threads={threads} activeId="t_1" />);
    const unread = [...container.querySelectorAll("[data-unread] .thread-title")].map((e) => e.textContent);
    expect(unread).toEqual(["chat t_2"]);
    expect(screen.getByRole("link", { name: /chat t_2.*unread/ })).toBeTruthy();
  });

  it("links each thread to its URL and selects it in place on a plain click", () => {
    const onSelect = vi.fn();
    render(() => <ThreadList {...base} threads={[thread("t_1")]} activeId={undefined} onSelect={onSelect} />);
    const link = screen.getByRole("link", { name: /chat t_1/ });
    expect(link.getAttribute("href")).toBe("/t/t_1");
    fireEvent.click(link);
    expect(onSelect).toHaveBeenCalledWith("t_1");
  });

  it("filters by every word of the search, in any case, and says when nothing matches", () => {
    expect(matchesQuery(thread("t_1", { title: "Trip to Lisbon" }), "lisbon TRIP")).toBe(true);
    expect(matchesQuery(thread("t_1", { title: "Trip to Lisbon" }), "porto")).toBe(false);
    expect(matchesQuery(thread("t_1", { title: null }), "new")).toBe(true);
    const threads = [thread("t_1", { title: "Trip to Lisbon" }), thread("t_2", { title: "Recipes" })];
    const { container } = render(() => <ThreadList {...base} threads={threads} activeId={undefined} query="trip" />);
    expect([...container.querySelectorAll(".thread-title")].map((e) => e.textContent)).toEqual(["Trip to Lisbon"]);
    cleanup();
    render(() => <ThreadList {...base} threads={threads} activeId={undefined} query="porto" />);
    expect(screen.getByText("No chats match “porto”.")).toBeTruthy();
  });

  it("renames in place: Enter keeps the new title, Escape keeps the old one", async () => {
    const onRename = vi.fn(async () => undefined);
    render(() => <ThreadList {...base} threads={[thread("t_1")]} activeId="t_1" onRename={onRename} />);
    fireEvent.click(screen.getByRole("button", { name: "Rename “chat t_1”" }));
    const box = screen.getByRole("textbox", { name: "Chat title" }) as HTMLInputElement;
    fireEvent.input(box, { target: { value: "Renamed" } });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onRename).toHaveBeenCalledWith("t_1", "Renamed");
    fireEvent.click(screen.getByRole("button", { name: "Rename “chat t_1”" }));
    fireEvent.keyDown(screen.getByRole("textbox", { name: "Chat title" }), { key: "Escape" });
    expect(onRename).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("textbox", { name: "Chat title" })).toBeNull();
  });

  it("deletes, and pages with Show more", () => {
    const onDelete = vi.fn();
    const onMore = vi.fn();
    render(() => <ThreadList {...base} threads={[thread("t_1")]} activeId={undefined} onDelete={onDelete} hasMore onMore={onMore} />);
    fireEvent.click(screen.getByRole("button", { name: "Delete “chat t_1”" }));
    expect(onDelete).toHaveBeenCalledWith("t_1");
    fireEvent.click(screen.getByRole("button", { name: "Show more" }));
    expect(onMore).toHaveBeenCalled();
  });
});
