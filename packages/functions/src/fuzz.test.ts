import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { createLocalDeps } from "./local/deps.ts";
import { testConfig } from "./testing/config.ts";

// Requests as a careless or hostile client sends them, to every route the app has (read
// from the app itself, so a new route is fuzzed from the day it is added): any method,
// path parameters from real ids to garbage, any query, any of the auth forms, any content
// type, any body. Each answer is below 500; each refusal is the JSON error shape; and a
// refusal changes nothing, in the log or in anyone's list (a request that succeeds may
// change things, and the state it leaves is the next baseline).

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

async function setup() {
  const deps = createLocalDeps(testConfig({ DEMO_PACE_MS: "0" }));
  const app = createApp(deps);
  const session = async () => {
    const res = await app.request("http://murmur.test/api/session", { method: "POST" });
    const body = (await res.json()) as { token: string; sessionId: string };
    return { ...body, cookie: (res.headers.get("set-cookie") ?? "").split(";")[0] as string };
  };
  const mine = await session();
  const theirs = await session();
  const json = (token: string) => ({ "X-Murmur-Token": token, "Content-Type": "application/json" });
  const newThread = async (token: string) =>
    (
      (await (await app.request("http://murmur.test/api/chats", { method: "POST", headers: json(token), body: "{}" })).json()) as {
        thread: { id: string };
      }
    ).thread.id;
  const myThread = await newThread(mine.token);
  const theirThread = await newThread(theirs.token);
  await app.request(`http://murmur.test/api/chats/${myThread}/send`, {
    method: "POST",
    headers: json(mine.token),
    body: JSON.stringify({ messageId: "m_seed", text: "hello" }),
  });
  await deps.invoker.idle();
  const firstReply = async () => (await deps.log.snapshot(myThread)).state.messages.find((m) => m.role === "assistant");
  const reply = await firstReply();
  return { deps, app, mine, theirs, myThread, theirThread, reply };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** Everything a request could change: both owners' lists and every thread's log. */
async function fingerprint(s: Setup): Promise<string> {
  const parts: unknown[] = [];
  for (const owner of [s.mine.sessionId, s.theirs.sessionId]) {
    const { threads } = await s.deps.log.listThreads(owner, { limit: 100 });
    parts.push(threads);
    for (const thread of threads) {
      const read = await s.deps.log.read(thread.id, null, 100_000);
      parts.push(thread.id, read.kind === "events" ? read.events.map((e) => e.cursor) : read.kind);
    }
  }
  return JSON.stringify(parts);
}

/** The app's own routes, as templates (`/api/chats/:threadId/send`). */
function routeTemplates(s: Setup): { method: string; path: string }[] {
  return s.app.routes.filter((r) => r.method !== "ALL" && !r.path.includes("*")).map((r) => ({ method: r.method, path: r.path }));
}

const garbage = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("..", "%2e%2e", "%00", "t_", "t_" + "0".repeat(32), "a".repeat(600), "null", "undefined", "💥", " ", "%ZZ"),
);

function requestArbitrary(s: Setup) {
  const routes = routeTemplates(s);
  const param = fc.oneof(
    fc.constantFrom(s.myThread, s.theirThread, s.reply?.id ?? "a_x", s.reply?.runId ?? "r_x", "m_seed", "st_0123456789abcdef"),
    garbage.map((g) => encodeURIComponent(g)),
  );
  const path = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...routes), fc.array(param, { minLength: 4, maxLength: 4 })) },
    { weight: 1, arbitrary: fc.tuple(fc.constant({ method: "GET", path: "/api/:x/:y" }), fc.array(param, { minLength: 4, maxLength: 4 })) },
  );
  const auth = fc.constantFrom<Record<string, string>>(
    {},
    { "X-Murmur-Token": s.mine.token },
    { "X-Murmur-Token": s.mine.token },
    { "X-Murmur-Token": s.mine.token },
    { Authorization: `Bearer ${s.mine.token}` },
    { Cookie: s.mine.cookie, "Sec-Fetch-Site": "same-origin" },
    { Cookie: s.mine.cookie, Origin: "https://evil.example" },
    { "X-Murmur-Token": s.theirs.token },
    { "X-Murmur-Token": `${s.mine.token.slice(0, -2)}xx` },
    { "X-Murmur-Token": "garbage" },
    { Authorization: "Basic Zm9vOmJhcg==" },
  );
  // Mostly what a client means to send, so most requests get past the gate to the handlers.
  const contentType = fc.oneof(
    { weight: 6, arbitrary: fc.constant<string | null>("application/json") },
    {
      weight: 2,
      arbitrary: fc.constantFrom<string | null>(
        null,
        "application/json; charset=utf-8",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "",
      ),
    },
  );
  const body = fc.option(
    fc.oneof(
      fc.json({ maxDepth: 3 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc
        .record({
          messageId: fc.oneof(fc.constant("m_f1"), garbage),
          text: fc.oneof(fc.string({ maxLength: 50 }), fc.constant("x".repeat(70_000))),
        })
        .map((r) => JSON.stringify(r)),
      fc.record({ title: fc.oneof(fc.string({ maxLength: 300 }), fc.integer()) }).map((r) => JSON.stringify(r)),
      fc.record({ events: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) }).map((r) => JSON.stringify(r)),
      garbage,
    ),
  );
  const query = fc.option(
    fc.oneof(
      fc.constantFrom(
        "threads=1",
        "threads=2",
        "after=garbage",
        "after=x:1-1",
        "client=" + "c".repeat(200),
        "limit=-1",
        "limit=1e9",
        "cursor=%ZZ",
      ),
      fc.string({ maxLength: 30 }).map(encodeURIComponent),
    ),
  );
  const method = fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD");
  const sameMethod = fc.integer({ min: 0, max: 3 }).map((n) => n > 0);
  return fc.record({ route: path, sameMethod, method, auth, contentType, body, query, signed: fc.boolean() });
}

describe("every route under fuzzing", () => {
  it(`answers ${RUNS} generated requests below 500, refuses with the JSON error, and a refusal changes nothing`, async () => {
    const s = await setup();
    let baseline = await fingerprint(s);
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArbitrary(s), async (r) => {
        const [template, params] = r.route;
        let i = 0;
        const path = template.path.replace(/:[^/]+/g, () => params[i++] as string);
        const method = r.sameMethod ? template.method : r.method;
        const headers: Record<string, string> = { ...r.auth };
        if (r.contentType !== null) headers["Content-Type"] = r.contentType;
        if (r.signed) Object.assign(headers, { "webhook-id": "msg_1", "webhook-timestamp": "1", "webhook-signature": "v1,AAAA" });
        const hasBody = r.body !== null && method !== "GET" && method !== "HEAD";
        const bytes = hasBody ? new TextEncoder().encode(r.body as string) : undefined;
        if (bytes) headers["Content-Length"] = String(bytes.length);
        const controller = new AbortController();
        const res = await s.app.request(`http://murmur.test${path}${r.query ? `?${r.query}` : ""}`, {
          method,
          headers,
          body: bytes,
          signal: controller.signal,
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const where = `${method} ${path}${r.query ? `?${r.query}` : ""} -> ${res.status}`;
        expect(res.status, where).toBeLessThan(500);
        if ((res.headers.get("content-type") ?? "").includes("text/event-stream")) {
          await res.body?.cancel();
          return;
        }
        const text = method === "HEAD" ? "" : await res.text();
        if (res.status >= 400) {
          if (method !== "HEAD") {
            expect(res.headers.get("content-type"), where).toContain("application/json");
            expect(JSON.parse(text), where).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
          }
          await s.deps.invoker.idle();
          expect(await fingerprint(s), `${where} changed state`).toBe(baseline);
        } else {
          await s.deps.invoker.idle();
          baseline = await fingerprint(s);
        }
      }),
      { numRuns: RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
    );
    if (process.env.FUZZ_VERBOSE) console.log(Object.fromEntries([...statuses].sort()));
    // The fuzzing reached the routes, not only the gate: successes and refusals of every kind.
    const seen = [...statuses.keys()];
    for (const status of [200, 400, 401, 403, 404, 405, 415]) expect(seen, `no ${status} among ${seen.join(", ")}`).toContain(status);
  }, 240_000);
});
