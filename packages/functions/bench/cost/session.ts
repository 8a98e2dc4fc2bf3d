import type { ScriptedBrowser } from "./browser.ts";

/**
 * The scripted hour of BENCHMARKS.md section 7: open the page; send `messages`, one
 * every two minutes (10 min), each answered by a reply of about `replySeconds`; read
 * (5 min); idle with the tab visible (15 min); the tab hidden (30 min).
 */
export interface SessionScript {
  readonly messages: number;
  readonly replySeconds: number;
  /** How long a person types a message before sending it (on-demand holds the stream meanwhile). */
  readonly typingMs: number;
  readonly visibleMinutes: number;
  readonly hiddenMinutes: number;
  /** Open tabs on the thread: each loads the page; one (the leader) holds the streams. */
  readonly tabs: number;
}

export const SESSION: SessionScript = { messages: 5, replySeconds: 10, typingMs: 5_000, visibleMinutes: 30, hiddenMinutes: 30, tabs: 1 };

/** What a scripted session did, in the time model's terms. */
export interface SessionTimes {
  /** Seconds streams were held (measured). */
  readonly heldSeconds: number;
  /** Idle checks made while visible and holding nothing. */
  readonly syncs: number;
}

/**
 * Murmur: the scripted session through the real handlers. Waiting that does nothing is
 * not waited out: the checks an idle visible tab makes are made at once, as many as its
 * `idleCheckMs` yields; typing, the replies and the linger run in real time.
 */
export async function runMurmurSession(leader: ScriptedBrowser, script: SessionScript): Promise<SessionTimes> {
  await leader.load();
  // The other tabs load the page too; then they follow the leader's stream over BroadcastChannel, at no cost.
  for (let i = 1; i < script.tabs; i++) await leader.tab().load();
  let heldMs = 0;
  for (let i = 0; i < script.messages; i++)
    heldMs += await leader.typeAndSend(`m_${i}`, PROMPTS[i % PROMPTS.length] as string, script.typingMs);
  const idleVisibleMs = Math.max(0, script.visibleMinutes * 60_000 - heldMs);
  const syncs = Math.floor(idleVisibleMs / leader.settings.idleCheckMs);
  for (let i = 0; i < syncs; i++) await leader.sync();
  return { heldSeconds: heldMs / 1000, syncs };
}

/**
 * The design Murmur replaces: the same app, but the tab polls every `pollMs` while
 * visible (the whole visible time, replies or not) instead of holding streams.
 */
export async function runPollingSession(tab: ScriptedBrowser, script: SessionScript, pollMs: number): Promise<{ polls: number }> {
  await tab.load();
  let polls = 0;
  let elapsedMs = 0;
  for (let i = 0; i < script.messages; i++) {
    const runId = await tab.send(`m_${i}`, PROMPTS[i % PROMPTS.length] as string);
    const agent = tab.runAgents();
    // While the reply is written, poll on the clock: that is what the reply costs to watch.
    for (let ended = false; !ended; ) {
      await new Promise((r) => setTimeout(r, pollMs));
      elapsedMs += pollMs;
      polls++;
      ended = (await tab.poll()).has(runId);
    }
    await agent;
  }
  // The rest of the visible time: a poll every pollMs, made at once.
  const rest = Math.max(0, Math.floor((script.visibleMinutes * 60_000 - elapsedMs) / pollMs));
  for (let i = 0; i < rest; i++) await tab.poll();
  return { polls: polls + rest };
}

/** What the scripted person writes: the demo responder answers each at its own length. */
const PROMPTS = [
  "Hello, what can you do?",
  "Tell me about streaming replies",
  "And how does a retry work?",
  "Thanks, one more question",
  "Bye for now",
];
