import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callFunctionUrl, cookieOf } from "./testing/call.ts";
import { AGENT_FUNCTION, type CloudFixture, startCloudFixture } from "./testing/cloud-fixture.ts";
import { hashBody } from "./testing/function-url.ts";

let fixture: CloudFixture;
let handler: unknown;
beforeAll(async () => {
  fixture = await startCloudFixture({ links: { Agent: { type: "sst.aws.Function", name: AGENT_FUNCTION } } });
  ({ handler } = await import("./api.ts"));
});
afterAll(() => fixture?.close());

const call = (spec: Parameters<typeof callFunctionUrl>[2]) => callFunctionUrl(handler, "murmur-test-ApiFunction", hashBody(spec));

async function signIn() {
  const session = await call({ method: "POST", path: "/api/session" });
  const cookie = cookieOf(session.cookies[0]);
  const thread = await call({
    method: "POST",
    path: "/api/chats",
    cookies: [cookie],
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  return { session, cookie, threadId: thread.json.thread.id as string };
}

const send = (cookie: string, threadId: string, messageId: string, text = "Hello") =>
  call({
    method: "POST",
    path: `/api/chats/${threadId}/send`,
    cookies: [cookie],
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messageId, text }),
  });

describe("Api function", () => {
  it("answers a session with a Secure HttpOnly cookie in `cookies` and the token in the body", async () => {
    const { session } = await signIn();
    expect(session.statusCode).toBe(200);
    expect(session.headers["content-type"]).toMatch(/^application\/json/);
    expect(session.json.token).toMatch(/^v1\./);
    expect(session.cookies).toHaveLength(1);
    expect(session.cookies[0]).toMatch(/^murmur_session=v1\.[^;]+;.*Path=\/api/);
    expect(session.cookies[0]).toContain("HttpOnly");
    expect(session.cookies[0]).toContain("Secure");
  });

  it("stores a send in Upstash and starts the run with one async invoke of Agent", async () => {
    const { cookie, threadId } = await signIn();
    const before = fixture.invokeApi.invokes.length;
    const res = await send(cookie, threadId, "m_1");
    expect(res.statusCode).toBe(202);
    expect(res.json).toMatchObject({ messageId: "m_1", runId: expect.stringMatching(/^r_/), duplicate: false });

    const invokes = fixture.invokeApi.invokes.slice(before);
    expect(invokes).toHaveLength(1);
    expect(invokes[0]).toMatchObject({
      functionName: AGENT_FUNCTION,
      headers: {
        "x-amz-invocation-type": "Event",
        authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/lambda\/aws4_request/),
      },
      // The send's request id travels with the run, onto every event of the reply.
      payload: { threadId, userMessageId: "m_1", attempt: 0, trace: { requestId: res.headers["x-request-id"] } },
    });

    const thread = await call({ path: `/api/chats/${threadId}`, cookies: [cookie] });
    expect(thread.json.state.messages).toMatchObject([{ id: "m_1", role: "user", text: "Hello" }]);
    // Written and read over Upstash's REST API.
    expect([...fixture.upstash.requests.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it("answers 503 when Lambda refuses the invoke, keeps the message, and starts the run when sent again", async () => {
    const { cookie, threadId } = await signIn();
    fixture.invokeApi.refuse({ status: 403, type: "AccessDeniedException" });
    const refused = await send(cookie, threadId, "m_1");
    fixture.invokeApi.refuse(null);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers["retry-after"]).toBeDefined();
    expect(refused.json.error.message).toContain("send it again with the same messageId");

    const before = fixture.invokeApi.invokes.length;
    const again = await send(cookie, threadId, "m_1");
    expect(again.statusCode).toBe(202);
    expect(again.json.duplicate).toBe(true);
    expect(fixture.invokeApi.invokes.slice(before).map((i) => i.payload)).toEqual([
      { threadId, userMessageId: "m_1", attempt: 0, trace: { requestId: again.headers["x-request-id"] } },
    ]);
    const thread = await call({ path: `/api/chats/${threadId}`, cookies: [cookie] });
    expect(thread.json.state.messages).toHaveLength(1);
  });

  it("reports cloud mode and the Upstash log in health, and 404 in the JSON error shape", async () => {
    const health = await call({ path: "/api/health" });
    expect(health.statusCode).toBe(200);
    expect(health.json).toMatchObject({ status: "ok", mode: "cloud", eventLog: { adapter: "upstash", ok: true } });
    const missing = await call({ path: "/api/nope?x=1" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json.error.message).toBe("no route for GET /api/nope");
  });
});
