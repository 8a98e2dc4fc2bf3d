import { fileURLToPath } from "node:url";
import type { ChatEvent } from "@murmur/core/chat";
import { type LocalServer, startLocalServer } from "../../functions/src/local/start.ts";
import { testConfig } from "../../functions/src/testing/config.ts";

/**
 * Where the global setup builds the web app for this suite: out of the way of `npm run
 * build`, because it bakes in a short `VITE_HIDDEN_CLOSE_MS` so hidden tabs close fast.
 */
export const WEB_DIST = fileURLToPath(new URL("../../../node_modules/.cache/murmur-web-e2e", import.meta.url));

/** How long a hidden tab keeps its stream in the suite's build. */
export const E2E_HIDDEN_CLOSE_MS = 500;

/** The real local server (API and built web app) on a loopback port; port 0 picks a free one. */
export function startServer(env: Record<string, string> = {}, webDist = WEB_DIST): Promise<LocalServer> {
  return startLocalServer(testConfig({ HOST: "127.0.0.1", DEMO_PACE_MS: "20", ...env }), { webDist });
}

/** What the server reports at `GET /api/health`. */
export async function health(server: LocalServer): Promise<{ streams: { open: number; total: number } }> {
  return (await fetch(`${server.url}/api/health`)).json();
}

/** Every event in a thread's log, read on the server side. */
export async function logEvents(server: LocalServer, threadId: string): Promise<ChatEvent[]> {
  const read = await server.deps.log.read(threadId, null, 100_000);
  return read.kind === "events" ? read.events.map((e) => e.event) : [];
}

/** How long a test waits for a condition it polls (`expect.poll(..., WAIT)`, `vi.waitFor(..., WAIT)`). */
export const WAIT = { timeout: 10_000, interval: 25 } as const;

/** The assistant texts of a thread as the server's snapshot holds them. */
export async function serverReplies(server: LocalServer, threadId: string): Promise<string[]> {
  const { state } = await server.deps.log.snapshot(threadId);
  return state.messages.filter((m) => m.role === "assistant").map((m) => m.text);
}

/**
 * Puts a finished exchange in a thread as an agent would, through the same ingestion as
 * the webhook: a user message, then a reply with `reply` as its whole text.
 */
export async function ingestExchange(server: LocalServer, threadId: string, key: string, prompt: string, reply: string): Promise<void> {
  const base = { threadId, runId: `r_${key}`, messageId: `a_${key}` };
  await server.deps.ingest(threadId, [
    { id: `${key}:m`, threadId, at: Date.now(), type: "message.created", messageId: `m_${key}`, role: "user", text: prompt },
    { ...base, id: `${key}:s`, at: Date.now(), type: "run.started", replyTo: `m_${key}`, agent: "assistant" },
    { ...base, id: `${key}:c`, at: Date.now(), type: "message.completed", text: reply },
  ]);
}
