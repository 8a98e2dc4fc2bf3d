import type { AgentTurn } from "./agent.ts";

/**
 * The most recent messages of `history` whose texts total at most `maxChars`, oldest
 * first. A message that does not fit ends the window: older ones are dropped whole,
 * never cut, so the model never sees half a message.
 */
export function recentHistory(history: AgentTurn["history"], maxChars: number): AgentTurn["history"] {
  let used = 0;
  let start = history.length;
  while (start > 0) {
    const size = history[start - 1]?.text.length ?? 0;
    if (used + size > maxChars) break;
    used += size;
    start--;
  }
  return history.slice(start);
}
