import { describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { createLocalDeps } from "./local/deps.ts";
import { testConfig } from "./testing/config.ts";

// The requests a foreign page could make a browser send with the session cookie, and
// what this app's own pages send. Each refusal is the JSON error and changes nothing.

const APP = "http://murmur.test";
const EVIL = "https://evil.example";

async function setup(env: Record<string, string> = {}) {
  const deps = createLocalDeps(testConfig({ DEMO_PACE_MS: "0", ...env }));
  const app = createApp(deps);
  const created = await app.request(`${APP}/api/session`, { method: "POST", headers: { "Sec-Fetch-Site": "same-origin" } });
  const cookie = (created.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const { token, sessionId } = (await created.json()) as { token: string; sessionId: string };
  const request = (
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array<ArrayBuffer> } = {},
  ) => app.request(`${APP}/api${path}`, { method: "POST", ...init, headers: { Cookie: cookie, ...init.headers } });
  const own = { "Sec-Fetch-Site": "same-origin", "Content-Type": "application/json" };
  const threadId = ((await (await request("/chats", { headers: own, body: "{}" })).json()) as { thread: { id: string } }).thread.id;
  const state = async () => ({
    threads: (await deps.log.listThreads(sessionId)).threads.length,
    messages: (await deps.log.snapshot(threadId)).state.messages.length,
  });
  return { deps, request, own, token, threadId, state };
}

const send = JSON.stringify({ messageId: "m_1", text: "transfer everything" });

describe("writes with the session cookie", () => {
  it("refuse a plain HTML form's POST (text/plain, foreign Origin): 415, nothing sent or created", async () => {
    const { request, threadId, state } = await setup();
    const before = await state();
    const form = { "Content-Type": "text/plain", Origin: EVIL, "Sec-Fetch-Site": "cross-site" };
    const sent = await request(`/chats/${threadId}/send`, { headers: form, body: send });
    expect(sent.status).toBe(415);
    expect(await sent.json()).toEqual({ error: { code: "unsupported_media_type", message: expect.stringContaining("application/json") } });
    const created = await request("/chats", { headers: { ...form, "Content-Type": "application/x-www-form-urlencoded" }, body: "a=1" });
    expect(created.status).toBe(415);
    expect(await state()).toEqual(before);
  });

  it("refuse JSON from a foreign Origin or a cross-site or same-site fetch: 403, nothing changed", async () => {
    const { request, threadId, state } = await setup();
    const before = await state();
    const attempts: Record<string, string>[] = [
      { Origin: EVIL },
      { Origin: "null" },
      { "Sec-Fetch-Site": "cross-site" },
      { "Sec-Fetch-Site": "same-site", Origin: "http://other.murmur.test" },
    ];
    for (const headers of attempts) {
      const res = await request(`/chats/${threadId}/send`, { headers: { "Content-Type": "application/json", ...headers }, body: send });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.json()).toEqual({ error: { code: "forbidden", message: expect.stringContaining("only this app's pages") } });
    }
    const stop = await request(`/chats/${threadId}/read`, { headers: { Origin: EVIL } });
    expect(stop.status).toBe(403);
    const deleted = await request(`/chats/${threadId}`, { method: "DELETE", headers: { Origin: EVIL } });
    expect(deleted.status).toBe(403);
    expect(await state()).toEqual(before);
  });

  it("accept this app's own pages: Sec-Fetch-Site same-origin, or its Origin (also through a proxy's X-Forwarded-Host, or PUBLIC_URL)", async () => {
    const { request, threadId, own, state } = await setup({ PUBLIC_URL: "https://chat.example.com" });
    expect((await request(`/chats/${threadId}/send`, { headers: own, body: send })).status).toBe(202);
    const json = { "Content-Type": "application/json" };
    expect((await request("/chats", { headers: { ...json, Origin: APP }, body: "{}" })).status).toBe(201);
    const proxied = {
      ...json,
      Origin: "https://d123.cloudfront.net",
      "X-Forwarded-Host": "d123.cloudfront.net",
      "X-Forwarded-Proto": "https",
    };
    expect((await request("/chats", { headers: proxied, body: "{}" })).status).toBe(201);
    expect((await request("/chats", { headers: { ...json, Origin: "https://chat.example.com" }, body: "{}" })).status).toBe(201);
    // A bodiless write declares no type.
    expect((await request(`/chats/${threadId}/read`, { headers: { "Sec-Fetch-Site": "same-origin" } })).status).toBeLessThan(300);
    expect((await state()).threads).toBe(4);
  });

  it("a body must be declared JSON whoever sends it; a bearer token (never sent by a browser on its own) skips the origin check", async () => {
    const { request, threadId, token } = await setup();
    const bearer = { Authorization: `Bearer ${token}`, Cookie: "" };
    // Bytes, not a string: a string body would be given text/plain by the Request itself.
    const bytes = new TextEncoder().encode(send);
    const untyped = await request(`/chats/${threadId}/send`, {
      headers: { ...bearer, "Content-Length": String(bytes.length) },
      body: bytes,
    });
    expect(untyped.status).toBe(415);
    expect(await untyped.json()).toMatchObject({
      error: { code: "unsupported_media_type", message: expect.stringContaining("no Content-Type") },
    });
    const fromElsewhere = { ...bearer, "Content-Type": "application/json; charset=utf-8", Origin: EVIL };
    expect((await request(`/chats/${threadId}/send`, { headers: fromElsewhere, body: send })).status).toBe(202);
  });
});

describe("unknown paths and methods under /api", () => {
  it("answer the JSON 404, and a known path's other methods the JSON 405 with Allow", async () => {
    const { request, threadId, own } = await setup();
    const missing = await request("/nothing/here", { method: "GET" });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: "not_found", message: "no route for GET /api/nothing/here" } });
    const put = await request(`/chats/${threadId}`, { method: "PUT", headers: own, body: "{}" });
    expect(put.status).toBe(405);
    expect(put.headers.get("Allow")).toBe("GET, PATCH, DELETE, HEAD");
    expect(await put.json()).toMatchObject({ error: { code: "method_not_allowed" } });
    const getSend = await request(`/chats/${threadId}/send`, { method: "GET" });
    expect(getSend.status).toBe(405);
    expect(getSend.headers.get("Allow")).toBe("POST");
    expect((await request("/health", { method: "DELETE", headers: own })).headers.get("Allow")).toBe("GET, HEAD");
  });
});
