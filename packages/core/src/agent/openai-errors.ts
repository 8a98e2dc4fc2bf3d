import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { AgentError } from "./agent.ts";

/** The reason given when the model sends nothing for `timeoutMs`. */
export function modelTimeout(timeoutMs: number, cause?: unknown): AgentError {
  return new AgentError(`the model did not answer within ${Math.round(timeoutMs / 100) / 10} s`, {
    retryable: true,
    kind: "timeout",
    cause,
  });
}

/**
 * Turns what the `openai` client throws into an {@link AgentError} whose message a
 * person can read. The provider's own error text is kept only as `cause`: it is not
 * ours to show, and it may quote the request. Anything unrecognised is returned as is
 * (the runner reports it as an unexpected failure).
 */
export function toAgentError(error: unknown, context: { model: string; timeoutMs: number }): unknown {
  if (error instanceof AgentError) return error;
  if (error instanceof APIConnectionTimeoutError) return modelTimeout(context.timeoutMs, error);
  if (error instanceof APIConnectionError) return new AgentError("could not reach the model server", { retryable: true, cause: error });
  if (error instanceof SyntaxError)
    return new AgentError("the model sent a part of the reply that could not be read", { retryable: true, cause: error });
  if (!(error instanceof APIError)) return error;

  const { status, code } = error;
  const fail = (message: string, retryable: boolean) => new AgentError(message, { retryable, cause: error });
  if (status === undefined) return fail("the model reported an error in the middle of the reply", true);
  if (status === 429) {
    return code === "insufficient_quota"
      ? fail("the model account has run out of quota (HTTP 429)", false)
      : fail("the model is busy or rate-limited (HTTP 429); try again in a moment", true);
  }
  if (status >= 500 || status === 408 || status === 409) return fail(`the model server failed (HTTP ${status}); try again`, true);
  if (status === 401 || status === 403) return fail(`the model server refused the API key (HTTP ${status})`, false);
  if (status === 404) return fail(`the model "${context.model}" was not found (HTTP 404)`, false);
  if (code === "context_length_exceeded") return fail("the conversation is too long for the model", false);
  return fail(`the model server refused the request (HTTP ${status})`, false);
}
