import { describe, expect, it } from "vitest";
import { createLogger, jsonLines } from "../log.ts";
import { testConfig } from "../testing/config.ts";
import { startLocalServer } from "./start.ts";

describe("the local server's log", () => {
  it("writes one JSON line per request and per stream end, as Lambda's does, with no token or secret", async () => {
    const lines: string[] = [];
    const config = testConfig({ MURMUR_LOG: "json", SSE_HEARTBEAT_MS: "100" });
    const server = await startLocalServer(config, { webDist: "/nonexistent", logger: createLogger(jsonLines((line) => lines.push(line))) });
    let token = "";
    try {
      const session = await fetch(`${server.url}/api/session`, { method: "POST", headers: { "x-request-id": "req-log-1" } });
      token = (await session.json()).token;
      expect(session.headers.get("cache-control")).toBe("no-store");
      const headers = { "X-Murmur-Token": token, "Content-Type": "application/json" };
      const created = await fetch(`${server.url}/api/chats`, { method: "POST", headers, body: "{}" });
      const threadId = (await created.json()).thread.id as string;
      const controller = new AbortController();
      const stream = await fetch(`${server.url}/api/chats/sse/${threadId}`, {
        headers: { ...headers, "x-request-id": "req-log-stream" },
        signal: controller.signal,
      });
      expect(stream.headers.get("x-request-id")).toBe("req-log-stream");
      expect(stream.headers.get("cache-control")).toBe("no-cache, no-transform");
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      controller.abort();
      await expect.poll(() => lines.some((line) => line.includes('"msg":"stream"')), { timeout: 5000, interval: 10 }).toBe(true);
    } finally {
      await server.close();
    }
    const records = lines.map((line) => JSON.parse(line));
    expect(lines.every((line) => line.endsWith("\n") && !line.slice(0, -1).includes("\n"))).toBe(true);
    expect(records.filter((r) => r.msg === "request").map((r) => [r.method, r.route, r.status])).toEqual([
      ["POST", "/api/session", 200],
      ["POST", "/api/chats", 201],
    ]);
    expect(records.find((r) => r.msg === "stream")).toMatchObject({
      route: "/api/chats/sse/:threadId",
      reason: "client_gone",
      status: 200,
    });
    // Every line carries its request's id: the one it came with, else one made for it.
    expect(records.filter((r) => r.msg === "request").map((r) => r.requestId)).toEqual([
      "req-log-1",
      expect.stringMatching(/^[0-9a-f]{32}$/),
    ]);
    expect(records.find((r) => r.msg === "stream")?.requestId).toBe("req-log-stream");
    for (const record of records) expect(record.traceId).toMatch(/^[0-9a-f]{32}$/);
    for (const line of lines) for (const secret of [token, config.sessionSecret, config.webhookSecret]) expect(line).not.toContain(secret);
  });
});
