import { Client } from "@langchain/langgraph-sdk";
import type { Agent, AgentRunRef, AgentTurn } from "./agent.ts";
import { contentText } from "./langgraph-completion.ts";
import { toLangGraphError } from "./langgraph-errors.ts";
import { langGraphThreadId } from "./langgraph-ids.ts";

/** Settings of the LangGraph provider (see `AGENT=langgraph` in the README). */
export interface LangGraphAgentOptions {
  /** The LangGraph server (Agent Server / `langgraph dev`), e.g. `http://127.0.0.1:2024`. */
  readonly url: string;
  /** An assistant id, or a graph name. */
  readonly assistantId: string;
  /** Sent as `x-api-key`; null sends none. */
  readonly apiKey: string | null;
  /** Also join the run's stream (`messages-tuple`) and relay AI tokens as they come. */
  readonly stream: boolean;
  /** The URL LangGraph calls when the run ends; it carries the run's secret. */
  webhookUrl(run: AgentRunRef): Promise<string>;
  /** Longest wait for one API call (not the stream). Default 30 s. */
  readonly timeoutMs?: number;
  /** Retries of an API call refused with 429 or 5xx. Default 2. */
  readonly maxRetries?: number;
}

/**
 * An agent whose reply is a LangGraph background run ("webhook" completion): `reply`
 * creates the run on the Murmur thread's own LangGraph thread with `webhook` set, then
 * returns, or, with `stream`, relays the run's AI tokens until it ends. The webhook
 * records the final message. Runs on one thread queue (`multitask_strategy: enqueue`).
 * Aborting the signal cancels the run at LangGraph (action `interrupt`).
 */
export function createLangGraphAgent(options: LangGraphAgentOptions): Agent {
  const timeoutMs = options.timeoutMs ?? 30_000;
  // apiKey null: the client would otherwise read LANGGRAPH_API_KEY and others itself.
  const client = new Client({
    apiUrl: options.url,
    apiKey: options.apiKey ?? null,
    timeoutMs,
    callerOptions: { maxRetries: options.maxRetries ?? 2 },
  });
  const context = { assistantId: options.assistantId, timeoutMs };
  const cancel = (thread: string, runId: string) => client.runs.cancel(thread, runId, false, "interrupt");

  async function* reply(turn: AgentTurn, signal: AbortSignal): AsyncGenerator<string> {
    if (signal.aborted) return;
    const thread = await langGraphThreadId(turn.threadId);
    let runId: string;
    try {
      await client.threads.create({ threadId: thread, ifExists: "do_nothing", metadata: { murmur_thread_id: turn.threadId } });
      // No signal here: once a create is sent, only its answer says which run to cancel.
      const run = await client.runs.create(thread, options.assistantId, {
        // The message id lets LangGraph's messages reducer ignore a repeated turn.
        input: { messages: [{ role: "user", content: turn.prompt, id: turn.replyTo }] },
        metadata: { murmur_thread_id: turn.threadId, murmur_run_id: turn.runId },
        webhook: await options.webhookUrl(turn),
        multitaskStrategy: "enqueue",
        ...(options.stream ? { streamMode: ["messages-tuple"], streamResumable: true } : {}),
      });
      runId = run.run_id;
    } catch (error) {
      throw toLangGraphError(error, context);
    }
    if (signal.aborted) return void (await cancel(thread, runId).catch(() => undefined));
    if (!options.stream) return;
    try {
      // lastEventId "-1" replays the run's events from its start: no token is missed.
      for await (const part of client.runs.joinStream(thread, runId, { signal, streamMode: "messages-tuple", lastEventId: "-1" })) {
        const text = aiTokenText(part.event, part.data);
        if (text) yield text;
      }
    } catch {
      // Relaying stops here; the run goes on and its webhook still records the reply.
    } finally {
      if (signal.aborted) await cancel(thread, runId).catch(() => undefined);
    }
  }

  return {
    name: options.assistantId.slice(0, 64),
    completion: "webhook",
    reply,
    async cancel(ref) {
      const thread = await langGraphThreadId(ref.threadId);
      try {
        for (const run of await client.runs.list(thread, { limit: 20 })) {
          const ours = run.metadata?.murmur_run_id === ref.runId;
          if (ours && (run.status === "pending" || run.status === "running")) await cancel(thread, run.run_id);
        }
      } catch (error) {
        if (error instanceof Error && "status" in error && error.status === 404) return; // no such thread: nothing runs
        throw toLangGraphError(error, context);
      }
    },
  };
}

/** The text of an AI token in a `messages-tuple` stream part (`[message chunk, metadata]`), else "". */
export function aiTokenText(event: string, data: unknown): string {
  if (event !== "messages" || !Array.isArray(data)) return "";
  const [chunk] = data as [unknown];
  if (typeof chunk !== "object" || chunk === null) return "";
  const { type, content } = chunk as { type?: unknown; content?: unknown };
  return type === "AIMessageChunk" || type === "ai" ? contentText(content) : "";
}
