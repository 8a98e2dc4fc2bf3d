import OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { type Agent, AgentError, type AgentTurn } from "./agent.ts";
import { recentHistory } from "./history-budget.ts";
import { modelTimeout, toAgentError } from "./openai-errors.ts";

/** Settings of the OpenAI-compatible provider (see `AGENT=openai` in the README). */
export interface OpenAiAgentOptions {
  /** E.g. `https://api.openai.com/v1`, or any compatible server's `/v1`. */
  readonly baseUrl: string;
  /** Null for a server that wants no key: then no Authorization header is sent. */
  readonly apiKey: string | null;
  readonly model: string;
  /** Most characters of earlier messages sent with each prompt. */
  readonly historyChars: number;
  /** Longest wait for the response to start, and between two of its chunks. */
  readonly timeoutMs: number;
  /** Retries of a refused request (429, 5xx, connection) before any text arrived. */
  readonly maxRetries: number;
}

/**
 * An agent that streams a Chat Completions reply from an OpenAI-compatible server:
 * yields `choices[0].delta.content` as it arrives and ends on `finish_reason`. Aborting
 * the signal aborts the HTTP request at once (also during a retry's back-off).
 */
export function createOpenAiAgent(options: OpenAiAgentOptions): Agent {
  const client = new OpenAI({
    baseURL: options.baseUrl,
    apiKey: options.apiKey ?? "none",
    defaultHeaders: options.apiKey ? undefined : { Authorization: null },
    // Everything explicit: left unset, the client would read OPENAI_* variables itself.
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    logLevel: "off",
  });
  return {
    name: options.model.slice(0, 64),
    reply: (turn, signal) => streamReply(client, options, turn, signal),
  };
}

/** The messages sent for a turn: recent history within the budget, then the prompt. */
export function chatMessages(turn: AgentTurn, historyChars: number): ChatCompletionMessageParam[] {
  const earlier = recentHistory(turn.history, historyChars).map((m) => ({ role: m.role, content: m.text }));
  return [...earlier, { role: "user", content: turn.prompt }];
}

async function* streamReply(client: OpenAI, options: OpenAiAgentOptions, turn: AgentTurn, signal: AbortSignal): AsyncGenerator<string> {
  const request = new AbortController();
  const abort = () => request.abort();
  signal.addEventListener("abort", abort, { once: true });
  let timedOut = false;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const rearm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      timedOut = true;
      request.abort();
    }, options.timeoutMs);
  };
  let streaming = false;
  try {
    const body = { model: options.model, messages: chatMessages(turn, options.historyChars), stream: true as const };
    const stream = await untilAborted(client.chat.completions.create(body, { signal: request.signal }), request.signal);
    let finish: ChatCompletionChunk.Choice["finish_reason"] = null;
    if (stream) {
      streaming = true;
      rearm();
      for await (const chunk of stream) {
        rearm();
        // Servers also send chunks without choices (usage, keep-alives): skip them.
        const choice = chunk.choices?.[0];
        const text = choice?.delta?.content;
        if (typeof text === "string" && text) yield text;
        if (choice?.finish_reason) {
          finish = choice.finish_reason;
          break; // ends the request; anything after finish_reason is not part of the reply
        }
      }
    }
    if (signal.aborted) return;
    if (timedOut) throw modelTimeout(options.timeoutMs);
    if (!finish) throw new AgentError("the model's reply was cut off before it finished", { retryable: true });
    if (finish === "content_filter") throw new AgentError("the model's content filter stopped the reply", { retryable: false });
  } catch (error) {
    if (signal.aborted) return;
    if (error instanceof AgentError) throw error;
    if (timedOut) throw modelTimeout(options.timeoutMs, error);
    const mapped = toAgentError(error, options);
    // Past the headers, what is left unrecognised is the connection failing under the body.
    if (streaming && !(mapped instanceof AgentError)) {
      throw new AgentError("the connection to the model broke in the middle of the reply", { retryable: true, cause: error });
    }
    throw mapped;
  } finally {
    clearTimeout(idle);
    signal.removeEventListener("abort", abort);
  }
}

/** `promise`, or undefined as soon as `signal` aborts (the client's retry back-off does not watch the signal). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
