import { AgentError } from "./agent.ts";

/**
 * Turns what the LangGraph client throws into an {@link AgentError} a person can read.
 * The client's messages carry the server's response body, so they are kept as `cause`
 * only. Anything unrecognised is returned as is.
 */
export function toLangGraphError(error: unknown, context: { assistantId: string; timeoutMs: number }): unknown {
  if (error instanceof AgentError || !(error instanceof Error)) return error;
  const fail = (message: string, retryable: boolean, kind?: "timeout") => new AgentError(message, { retryable, kind, cause: error });
  if (error.name === "ConnectionError") return fail("could not reach the LangGraph server", true);
  if (error.name === "TimeoutError")
    return fail(`LangGraph did not answer within ${Math.round(context.timeoutMs / 1000)} s`, true, "timeout");
  const status = "status" in error && typeof error.status === "number" ? error.status : null;
  if (status === null) return error;
  if (status === 429) return fail("LangGraph is busy or rate-limited (HTTP 429); try again in a moment", true);
  if (status >= 500 || status === 408 || status === 409) return fail(`the LangGraph server failed (HTTP ${status}); try again`, true);
  if (status === 401 || status === 403) return fail(`LangGraph refused the API key (HTTP ${status})`, false);
  if (status === 404) return fail(`LangGraph has no assistant "${context.assistantId}" (HTTP 404)`, false);
  return fail(`LangGraph refused the run (HTTP ${status})`, false);
}
