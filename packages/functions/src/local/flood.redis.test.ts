import { testRedisUrl, uniquePrefix } from "@murmur/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type LocalProcess, probeHealth, startLocalProcess } from "../testing/local-process.ts";
import { receivedTypes, subscribeThread } from "../testing/sse.ts";

// The send flood (invariant I7): 1,000 sends in about a second, from one session into one
// thread, against `npm start`'s server in a process of its own, over loopback HTTP, in
// memory mode and in Redis mode. Every send is answered; every refusal is a JSON error
// (429 with Retry-After naming the limit, or 409 while a reply is in flight); every
// message accepted ends with a reply or a failure; health answers quickly meanwhile; the
// server's memory stays bounded. The figures are printed.

const SENDS = 1_000;
const FLOOD_MS = 1_000;
/** How often health is asked while the flood runs and the replies end. */
const HEALTH_EVERY_MS = 50;

const processes: LocalProcess[] = [];
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop()));
});

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly error?: { code: string; message: string; limit?: string };
}

async function flood(mode: "memory" | "redis", env: Record<string, string>) {
  const server = await startLocalProcess({
    SESSION_SECRET: "flood-session-secret-0123456789abcdef",
    WEBHOOK_SECRET: "flood-webhook-secret",
    ...(mode === "redis" ? { REDIS_URL: testRedisUrl(), MURMUR_KEY_PREFIX: uniquePrefix() } : {}),
    ...env,
  });
  processes.push(server);
  const api = async (path: string, init: RequestInit = {}, token?: string) =>
    fetch(`${server.url}/api${path}`, {
      ...init,
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });
  const { token } = await (await api("/session", { method: "POST" })).json();
  const threadId = (await (await api("/chats", { method: "POST", body: "{}" }, token)).json()).thread.id as string;
  expect((await api("/health")).status).toBe(200);
  // A tab on the thread: what it sees tells how many replies were ever in flight at once.
  const tab = subscribeThread(`${server.url}/api/chats/sse/${threadId}`, token);
  await expect.poll(() => receivedTypes(tab.received)).toContain("snapshot");
  const rssBefore = server.rssMb();

  // Health, asked one request after another by another process, from the flood's start until the replies ended.
  const health = probeHealth(server.url, HEALTH_EVERY_MS);
  await expect.poll(() => health.samples.length).toBeGreaterThan(0);
  health.samples.length = 0;

  const started = performance.now();
  let lastSentMs = 0;
  const answers = await Promise.all(
    Array.from(
      { length: SENDS },
      (_, i) =>
        new Promise<Answer>((resolve, reject) => {
          setTimeout(
            async () => {
              lastSentMs = performance.now() - started;
              try {
                const res = await api(
                  `/chats/${threadId}/send`,
                  { method: "POST", body: JSON.stringify({ messageId: `m_${i}`, text: `flood message ${i}` }) },
                  token,
                );
                const body = await res.json();
                resolve({ status: res.status, retryAfter: res.headers.get("Retry-After"), error: body.error });
              } catch (error) {
                reject(error);
              }
            },
            (i * FLOOD_MS) / SENDS,
          );
        }),
    ),
  );
  const floodMs = Math.round(performance.now() - started);
  const accepted = answers.flatMap((a, i) => (a.status === 202 ? [`m_${i}`] : []));

  // Every accepted message ends: a reply, or a failure.
  const ends = async () => {
    const { state } = await (await api(`/chats/${threadId}`, {}, token)).json();
    const replies = (state.messages as { role: string; replyTo?: string; status: string }[]).filter((m) => m.role === "assistant");
    return accepted.map((id) => replies.filter((m) => m.replyTo === id).at(-1)?.status ?? "none");
  };
  await expect.poll(async () => (await ends()).filter((s) => s !== "complete" && s !== "failed"), { timeout: 30_000 }).toEqual([]);
  await health.stop();
  const endStates = await ends();
  await expect
    .poll(() => receivedTypes(tab.received).filter((t) => t === "message.completed" || t === "message.failed").length)
    .toBe(accepted.length);
  tab.source.close();
  let inFlight = 0;
  let mostInFlight = 0;
  for (const type of receivedTypes(tab.received)) {
    if (type === "run.started") mostInFlight = Math.max(mostInFlight, ++inFlight);
    if (type === "message.completed" || type === "message.failed") inFlight--;
  }
  const rssAfter = server.rssMb();

  const count = (status: number) => answers.filter((a) => a.status === status).length;
  const sorted = [...health.samples].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  const figures = {
    mode,
    sends: SENDS,
    sentWithinMs: Math.round(lastSentMs),
    answeredWithinMs: floodMs,
    accepted: accepted.length,
    refused429: count(429),
    refused409: count(409),
    replies: endStates.filter((s) => s === "complete").length,
    failures: endStates.filter((s) => s === "failed").length,
    mostRepliesInFlight: mostInFlight,
    health: { asked: sorted.length, p50Ms: at(0.5), p95Ms: at(0.95), maxMs: at(1), notOk: health.failed() },
    rssMb: { before: rssBefore, after: rssAfter },
  };
  console.log(`send flood, ${JSON.stringify(env)}: ${JSON.stringify(figures)}`);
  return { answers, figures };
}

/** What every flood must show, whatever the limits. */
function expectContained({ answers, figures }: Awaited<ReturnType<typeof flood>>) {
  expect(
    answers.every((a) => [202, 409, 429].includes(a.status)),
    `statuses: ${[...new Set(answers.map((a) => a.status))]}`,
  ).toBe(true);
  for (const a of answers.filter((a) => a.status === 429)) {
    expect(a.error).toMatchObject({ code: "rate_limited", limit: expect.stringMatching(/^(session|thread)_sends$/) });
    expect(a.error?.message).toMatch(/LIMIT_(THREAD_)?SENDS_PER_MINUTE/);
    expect(Number(a.retryAfter)).toBeGreaterThan(0);
  }
  for (const a of answers.filter((a) => a.status === 409)) {
    expect(a.error).toMatchObject({ code: "reply_in_progress", message: expect.stringContaining("LIMIT_RUNS_PER_THREAD") });
  }
  expect(figures.accepted).toBeGreaterThan(0);
  expect(figures.replies + figures.failures).toBe(figures.accepted);
  expect(figures.mostRepliesInFlight).toBe(1);
  // Health waits behind the flood's own connections (a thousand at once, on a shared
  // machine), not behind its work: it answered in over 5 s before the limits.
  expect(figures.health.notOk).toBe(0);
  expect(figures.health.p95Ms).toBeLessThan(1_000);
  expect(figures.health.maxMs).toBeLessThan(3_000);
  expect(figures.rssMb.after - figures.rssMb.before).toBeLessThan(150);
}

describe.each(["memory", "redis"] as const)("the send flood, %s mode", (mode) => {
  it("with the default limits: the rates refuse the flood, one reply at a time", async () => {
    const result = await flood(mode, {});
    expectContained(result);
    expect(result.figures.refused429).toBeGreaterThan(SENDS - 30);
  }, 60_000);

  it("with the rates off and quick replies: one reply in flight per thread holds alone, and every message taken ends", async () => {
    const result = await flood(mode, { LIMIT_SENDS_PER_MINUTE: "0", LIMIT_THREAD_SENDS_PER_MINUTE: "0", DEMO_PACE_MS: "2" });
    expectContained(result);
    expect(result.figures.refused429).toBe(0);
  }, 60_000);
});
