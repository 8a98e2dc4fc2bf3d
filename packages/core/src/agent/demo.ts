import type { Agent, AgentTurn } from "./agent.ts";

/** Settings of the built-in demo responder. */
export interface DemoAgentOptions {
  /** Milliseconds between words. */
  readonly paceMs: number;
}

const OPENINGS = ["Thanks for your message.", "Here is a reply from the built-in demo responder.", "Got it."];

/**
 * The reply the demo responder writes for a prompt: deterministic (the same prompt
 * always gets the same reply), offline, and long enough to watch it stream.
 */
export function demoReply(turn: Pick<AgentTurn, "prompt" | "history">): string {
  const words = turn.prompt.trim().split(/\s+/).filter(Boolean);
  let hash = 0;
  for (const ch of turn.prompt) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  const opening = OPENINGS[hash % OPENINGS.length];
  const quoted = words.slice(0, 12).join(" ") + (words.length > 12 ? " …" : "");
  const turnNumber = turn.history.filter((m) => m.role === "user").length + 1;
  return [
    opening,
    `You wrote ${words.length} ${words.length === 1 ? "word" : "words"}: "${quoted}".`,
    `This is turn ${turnNumber} of this chat, and every word of this reply travels through the event log`,
    "and reaches each open tab over Server-Sent Events, token by token.",
    "A real model replaces this demo when another agent is configured.",
  ].join(" ");
}

/** A built-in agent that streams {@link demoReply} word by word at `paceMs`. */
export function createDemoAgent(options: DemoAgentOptions): Agent {
  return {
    name: "demo",
    async *reply(turn, signal) {
      const parts = demoReply(turn).split(/(?<= )/);
      for (const part of parts) {
        if (signal.aborted) return;
        if (options.paceMs > 0) await sleep(options.paceMs, signal);
        if (signal.aborted) return;
        yield part;
      }
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
