import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { closeStream, createThread, listThreads, sendMessage, startSession } from "./api.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Every fetch the module makes, answered with `{}`. */
function recordFetches() {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify({ thread: {}, threads: [] }), { status: 200, headers: { "Content-Type": "application/json" } });
    }),
  );
  return calls;
}
const header = (init: RequestInit, name: string) => new Headers(init.headers).get(name);

afterEach(() => vi.unstubAllGlobals());

describe("api requests", () => {
  it("send each POST body's SHA-256 in x-amz-content-sha256, as CloudFront's signature for Lambda needs", async () => {
    const calls = recordFetches();
    const message = { messageId: "m_1", text: "héllo ✓ with a longer body" };
    await sendMessage("t_1", message);
    await createThread();
    await startSession();
    expect(calls.map((c) => [c.init.method, header(c.init, "x-amz-content-sha256")])).toEqual([
      ["POST", sha256(JSON.stringify(message))],
      ["POST", sha256("{}")],
      ["POST", sha256("")], // no body: the hash of the empty body
    ]);
    expect(calls[0]?.init.body).toBe(JSON.stringify(message));
  });

  it("send no hash with a GET, and no token header: the session is the HttpOnly cookie", async () => {
    const calls = recordFetches();
    await listThreads();
    expect(header(calls[0]?.init as RequestInit, "x-amz-content-sha256")).toBeNull();
    for (const call of calls) {
      expect(header(call.init, "authorization")).toBeNull();
      expect(call.init.credentials).toBe("same-origin");
    }
  });

  it("start a keepalive close in the same call, hash included, so it leaves before the page goes", () => {
    const calls = recordFetches();
    closeStream("t_1", "st_1");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.init).toMatchObject({ method: "POST", keepalive: true, body: "{}" });
    expect(header(calls[0]?.init as RequestInit, "x-amz-content-sha256")).toBe(sha256("{}"));
  });
});
