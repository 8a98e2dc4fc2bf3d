import type { Agent, AgentTurn } from "./agent.ts";

/** Settings of the built-in demo responder. */
export interface DemoAgentOptions {
  /** Milliseconds between words. */
  readonly paceMs: number;
}

/** What the demo responder writes for a prompt: it picks by the words the prompt holds. */
export type DemoShape = "answer" | "list" | "table" | "code";

const SHAPES: readonly [DemoShape, RegExp][] = [
  ["code", /\b(code|function|snippet|python|sql|regex)\b/i],
  ["table", /\b(table|compare|comparison|versus|vs)\b/i],
  ["list", /\b(list|steps|ideas|tips|checklist|plan)\b/i],
];

/** The shape of the demo's reply to `prompt`: a short answer unless the prompt asks for code, a table or a list. */
export function demoShape(prompt: string): DemoShape {
  return SHAPES.find(([, pattern]) => pattern.test(prompt))?.[0] ?? "answer";
}

const OPENINGS = ["Thanks for your message.", "Here is a reply from the built-in demo responder.", "Got it."];
const AGAIN = ["Here is another take from the demo responder.", "Once more, from the demo responder."];

function hashOf(text: string): number {
  let hash = 0;
  for (const ch of text) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return hash;
}

/**
 * The reply the demo responder writes for a prompt: deterministic (the same prompt and
 * attempt always get the same reply), offline, labelled as the demo's, and long enough
 * to watch it stream. It shows what the app renders: a short answer in plain words, or,
 * when the prompt asks for one (see {@link demoShape}), a list, a table or a code block.
 */
export function demoReply(turn: Pick<AgentTurn, "prompt" | "history"> & { readonly attempt?: number }): string {
  const words = turn.prompt.trim().split(/\s+/).filter(Boolean);
  const hash = hashOf(turn.prompt);
  const attempt = turn.attempt ?? 0;
  const opening = attempt > 0 ? (AGAIN[(attempt - 1) % AGAIN.length] as string) : (OPENINGS[hash % OPENINGS.length] as string);
  const quoted = words.slice(0, 12).join(" ") + (words.length > 12 ? " …" : "");
  const turnNumber = turn.history.filter((m) => m.role === "user").length + 1;
  switch (demoShape(turn.prompt)) {
    case "code":
      return [
        `${opening} A code block, as a model would write one (turn ${turnNumber}):`,
        "",
        "```ts",
        'const source = new EventSource("/api/chats/sse/t_1");',
        'source.addEventListener("message.delta", (event) => {',
        "  const delta = JSON.parse(event.data); // every frame's id is its log position",
        "  render(delta.text);",
        "});",
        "```",
        "",
        "A reconnect resumes after `Last-Event-ID`, so nothing is missed or shown twice.",
      ].join("\n");
    case "table":
      return [
        `${opening} How Murmur compares with the usual designs (turn ${turnNumber}):`,
        "",
        "| design | delivery | lost on reconnect | idle cost |",
        "| --- | --- | :---: | ---: |",
        "| polling every 1.5 s | up to 1.5 s late | no | 40 requests a minute |",
        "| Redis pub/sub + SSE | live | **yes** | none |",
        "| Murmur (event log + SSE) | live | no | none |",
      ].join("\n");
    case "list":
      return [
        `${opening} What happens to a message, step by step (turn ${turnNumber}):`,
        "",
        "1. The browser posts it with an id it made, so a retry lands once.",
        "2. The server appends it to the thread's log and starts the agent.",
        "3. The reply is appended in batches, and each open tab streams it:",
        "   - over *Server-Sent Events*, resuming after `Last-Event-ID`;",
        "   - with ~~polling~~ none at all.",
        "4. The finished reply replaces the batches in the snapshot.",
      ].join("\n");
    default:
      return [
        opening,
        `You wrote ${words.length} ${words.length === 1 ? "word" : "words"}: "${quoted}".`,
        `This is turn ${turnNumber} of this chat, and every word of this reply travels through the event log`,
        "and reaches each open tab over Server-Sent Events, token by token.",
        "Ask the demo for a list, a table or some code to see them rendered;",
        "a real model replaces this demo when another agent is configured.",
      ].join(" ");
  }
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
