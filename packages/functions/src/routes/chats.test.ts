import { describe, expect, it, vi } from "vitest";
import { createApp } from "../app.ts";
import { createLocalDeps } from "../local/deps.ts";
import { testConfig } from "../testing/config.ts";

async function setup() {
  const deps = createLocalDeps(testConfig({ DEMO_PACE_MS: "0" }));
  const app = createApp(deps);
  const session = async () => (await (await app.request("/api/session", { method: "POST" })).json()).token as string;
  const token = await session();
  const call = (method: string, path: string, json?: unknown, as = token) =>
    app.request(path, {
      method,
      headers: { Authorization: `Bearer ${as}`, "Content-Type": "application/json" },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  const newThread = async () => (await (await call("POST", "/api/chats", {})).json()).thread.id as string;
  return { deps, app, session, token, call, newThread };
}

/** Reads an SSE body until `done` says the text so far is enough (or it ends). */
async function readSse(res: Response, done: (text: string) => boolean): Promise<string> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!done(text)) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

describe("rename a thread", () => {
  it("sets the title for the owner, idempotently, and refuses bad titles and other sessions", async () => {
    const { call, newThread, session } = await setup();
    const t = await newThread();
    const renamed = await call("PATCH", `/api/chats/${t}`, { title: "  Trip \n plans " });
    expect(renamed.status).toBe(200);
    const { thread } = await renamed.json();
    expect(thread).toMatchObject({ id: t, title: "Trip plans", renamedAt: expect.any(Number) });
    const again = await call("PATCH", `/api/chats/${t}`, { title: "Trip plans" });
    expect(await again.json()).toEqual({ thread });
    expect((await (await call("GET", `/api/chats/${t}`)).json()).thread.title).toBe("Trip plans");

    const bad = await call("PATCH", `/api/chats/${t}`, { title: " " });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: "invalid_input", message: "invalid title: title: must not be empty" } });
    expect((await call("PATCH", `/api/chats/${t}`, { title: "x".repeat(81) })).status).toBe(400);
    expect((await call("PATCH", `/api/chats/${t}`, { name: "x" })).status).toBe(400);
    const foreign = await call("PATCH", `/api/chats/${t}`, { title: "mine" }, await session());
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).error.code).toBe("forbidden");
    expect((await call("PATCH", "/api/chats/t_unknown", { title: "x" })).status).toBe(404);
  });
});

describe("delete a thread", () => {
  it("deletes for the owner only, answers 204 again when repeated, and the thread is gone", async () => {
    const { call, newThread, session } = await setup();
    const t = await newThread();
    const kept = await newThread();
    const foreign = await call("DELETE", `/api/chats/${t}`, undefined, await session());
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ error: { code: "forbidden", message: `thread ${t} belongs to another session` } });
    expect((await call("DELETE", `/api/chats/${t}`)).status).toBe(204);
    expect((await call("DELETE", `/api/chats/${t}`)).status).toBe(204);
    expect((await call("GET", `/api/chats/${t}`)).status).toBe(404);
    expect((await call("POST", `/api/chats/${t}/send`, { messageId: "m_1", text: "hi" })).status).toBe(404);
    expect((await (await call("GET", "/api/chats")).json()).threads.map((r: { id: string }) => r.id)).toEqual([kept]);
    const unknown = await call("DELETE", "/api/chats/t_unknown");
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe("not_found");
    expect((await call("DELETE", "/api/chats/bad%20id")).status).toBe(400);
  });

  it("tells every tab live: the thread list stream removes it and the thread's own stream ends for good", async () => {
    const { call, newThread } = await setup();
    const t = await newThread();
    const other = await newThread();
    // A tab on `other` carries the list; another tab is on `t` itself.
    const listTab = await call("GET", `/api/chats/sse/${other}?threads=1`);
    const threadTab = await call("GET", `/api/chats/sse/${t}`);
    const removed = readSse(listTab, (text) => text.includes("event: thread.removed"));
    const ended = readSse(threadTab, (text) => text.includes("event: close"));
    const renamedSeen = readSse(await call("GET", `/api/chats/sse/${other}?threads=1`), (text) => text.includes("Renamed"));
    await vi.waitFor(async () => expect((await call("PATCH", `/api/chats/${t}`, { title: "Renamed" })).status).toBe(200));
    expect(await renamedSeen).toMatch(/event: thread\.updated\ndata: \{"thread":\{[^\n]*"title":"Renamed"/);
    await call("DELETE", `/api/chats/${t}`);
    expect(await removed).toContain(`event: thread.removed\ndata: {"threadId":"${t}","position":`);
    expect(await ended).toMatch(/event: close\ndata: \{"reason":"deleted"\}/);
  });
});

describe("list threads in pages", () => {
  it("pages with limit and before, and refuses a malformed page", async () => {
    const { call, newThread } = await setup();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await newThread());
    const first = await (await call("GET", "/api/chats?limit=2")).json();
    expect(first).toMatchObject({
      threads: [expect.anything(), expect.anything()],
      position: expect.any(String),
      next: expect.any(String),
    });
    const ids: string[] = first.threads.map((r: { id: string }) => r.id);
    let next = first.next as string | null;
    while (next) {
      const page = await (await call("GET", `/api/chats?limit=2&before=${encodeURIComponent(next)}`)).json();
      ids.push(...page.threads.map((r: { id: string }) => r.id));
      next = page.next;
    }
    expect(ids.sort()).toEqual([...made].sort());
    expect((await (await call("GET", "/api/chats")).json()).next).toBeNull();
    for (const query of ["limit=0", "limit=201", "limit=x", "before=nope"]) {
      const res = await call("GET", `/api/chats?${query}`);
      expect(res.status, query).toBe(400);
      expect((await res.json()).error.code).toBe("invalid_input");
    }
  });
});
