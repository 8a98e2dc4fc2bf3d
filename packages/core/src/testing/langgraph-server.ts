import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./read-body.ts";

/** One step of a scripted graph run. */
export type GraphStep = { readonly ai: string } | { readonly tool: string } | { readonly waitMs: number };

/** How a scripted run goes: its steps, then success (the AI tokens joined are the reply) or an error. */
export interface GraphScript {
  readonly steps: readonly GraphStep[];
  readonly outcome?: "success" | "error";
}

interface FakeRun {
  readonly run: Record<string, unknown> & { run_id: string; thread_id: string; status: string };
  readonly kwargs: { webhook?: string; resumable: boolean };
  readonly events: { id: string; event: string; data: unknown }[];
  readonly listeners: Set<() => void>;
  readonly cancelled: AbortController;
  ended: boolean;
  payload?: Record<string, unknown>;
}

/** A webhook call the fake made, with our server's answer. */
export interface WebhookDelivery {
  readonly runId: string;
  readonly url: string;
  readonly payload: Record<string, unknown>;
  readonly status: number;
}

export interface FakeLangGraphServer {
  readonly url: string;
  /** Every request, as `METHOD /path?query`, with its JSON body. */
  readonly requests: { readonly line: string; readonly body: Record<string, unknown> | null; readonly apiKey: string | undefined }[];
  readonly webhooks: WebhookDelivery[];
  /** Queues scripts for the next runs; the last one queued keeps running. */
  respond(...scripts: GraphScript[]): void;
  /** Resolves when `count` webhook calls have been answered. */
  webhooksDone(count: number): Promise<void>;
  /** Calls a run's webhook again with the same payload, as a retried delivery would. */
  redeliver(runId: string): Promise<WebhookDelivery>;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, body === undefined ? headers : { "content-type": "application/json", ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
};

/**
 * A local HTTP server on 127.0.0.1 that speaks the LangGraph Agent Server's runs API as
 * the SDK uses it: `POST /threads`, `POST /threads/{id}/runs` (a background run with
 * `webhook`), `GET /threads/{id}/runs`, `GET /threads/{id}/runs/{run}/stream` (SSE,
 * `messages` events of `[chunk, metadata]`, replay from `Last-Event-ID: -1` for
 * resumable runs), `POST /threads/{id}/runs/{run}/cancel`, and, when a run ends, the
 * webhook call: the run plus `status`, `values` and `error`, as the server sends it.
 */
export async function startFakeLangGraph(options: { apiKey?: string; assistants?: string[] } = {}): Promise<FakeLangGraphServer> {
  const assistants = options.assistants ?? ["agent"];
  const scripts: GraphScript[] = [{ steps: [{ ai: "Hello" }, { ai: " from" }, { ai: " the graph." }] }];
  const threads = new Map<string, { thread: Record<string, unknown>; messages: Record<string, unknown>[]; queue: Promise<void> }>();
  const runs = new Map<string, FakeRun>();
  const requests: FakeLangGraphServer["requests"] = [];
  const webhooks: WebhookDelivery[] = [];
  const waiters = new Set<() => void>();

  const deliver = async (fake: FakeRun): Promise<WebhookDelivery> => {
    const url = fake.kwargs.webhook as string;
    const res = await fetch(url, { method: "POST", body: JSON.stringify(fake.payload) });
    await res.arrayBuffer();
    const delivery = { runId: fake.run.run_id, url, payload: fake.payload as Record<string, unknown>, status: res.status };
    webhooks.push(delivery);
    for (const wake of waiters) wake();
    return delivery;
  };

  const execute = async (fake: FakeRun, script: GraphScript, history: Record<string, unknown>[]) => {
    const emit = (event: string, data: unknown) => {
      fake.events.push({ id: String(fake.events.length), event, data });
      for (const wake of fake.listeners) wake();
    };
    const started = new Date().toISOString();
    fake.run.status = "running";
    emit("metadata", { run_id: fake.run.run_id, attempt: 1 });
    let reply = "";
    for (const step of script.steps) {
      if (fake.cancelled.signal.aborted) break;
      if ("waitMs" in step) await sleep(step.waitMs, fake.cancelled.signal);
      else if ("ai" in step) {
        reply += step.ai;
        emit("messages", [message("AIMessageChunk", step.ai, `run-${fake.run.run_id}`), { langgraph_node: "agent", langgraph_step: 1 }]);
      } else emit("messages", [message("tool", step.tool, randomUUID()), { langgraph_node: "tools", langgraph_step: 2 }]);
    }
    const status = fake.cancelled.signal.aborted ? "interrupted" : script.outcome === "error" ? "error" : "success";
    if (status === "success") history.push(message("ai", reply, `run-${fake.run.run_id}`));
    if (status === "error") emit("error", { error: "ValueError", message: "the graph raised" });
    fake.run.status = status;
    fake.ended = true;
    for (const wake of fake.listeners) wake();
    fake.payload = {
      ...fake.run,
      kwargs: fake.kwargs,
      run_started_at: started,
      run_ended_at: new Date().toISOString(),
      webhook_sent_at: new Date().toISOString(),
      values: status === "interrupted" ? undefined : { messages: [...history] },
      ...(status === "error" ? { error: "the graph raised" } : {}),
    };
    if (fake.kwargs.webhook) await deliver(fake);
  };

  const route = async (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown> | null) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const parts = url.pathname.split("/").filter(Boolean);
    if (options.apiKey && req.headers["x-api-key"] !== options.apiKey) return json(res, 403, { detail: "Invalid API key" });
    if (req.method === "POST" && url.pathname === "/threads") {
      const id = String(body?.thread_id ?? randomUUID());
      const existing = threads.get(id);
      if (existing && body?.if_exists !== "do_nothing") return json(res, 409, { detail: `Thread ${id} already exists` });
      const now = new Date().toISOString();
      const entry = existing ?? {
        thread: {
          thread_id: id,
          created_at: now,
          updated_at: now,
          metadata: body?.metadata ?? {},
          status: "idle",
          values: null,
          interrupts: {},
        },
        messages: [],
        queue: Promise.resolve(),
      };
      threads.set(id, entry);
      return json(res, 200, entry.thread);
    }
    const thread = parts[0] === "threads" ? threads.get(parts[1] ?? "") : undefined;
    if (!thread) return json(res, 404, { detail: "Thread not found" });
    const threadId = parts[1] as string;
    if (parts.length === 3 && parts[2] === "runs" && req.method === "GET") {
      const list = [...runs.values()].filter((r) => r.run.thread_id === threadId).reverse();
      return json(
        res,
        200,
        list.slice(0, Number(url.searchParams.get("limit") ?? 10)).map((r) => r.run),
      );
    }
    if (parts.length === 3 && parts[2] === "runs" && req.method === "POST") {
      if (!assistants.includes(String(body?.assistant_id))) return json(res, 404, { detail: `Assistant ${body?.assistant_id} not found` });
      const now = new Date().toISOString();
      const runId = randomUUID();
      const run = {
        run_id: runId,
        thread_id: threadId,
        assistant_id: String(body?.assistant_id),
        created_at: now,
        updated_at: now,
        status: "pending",
        metadata: body?.metadata ?? {},
        multitask_strategy: body?.multitask_strategy ?? "reject",
      };
      const fake: FakeRun = {
        run,
        kwargs: { webhook: body?.webhook as string | undefined, resumable: body?.stream_resumable === true },
        events: [],
        listeners: new Set(),
        cancelled: new AbortController(),
        ended: false,
      };
      runs.set(runId, fake);
      for (const m of (body?.input as { messages?: { role: string; content: string; id?: string }[] })?.messages ?? []) {
        if (!thread.messages.some((known) => m.id && known.id === m.id))
          thread.messages.push(message("human", m.content, m.id ?? randomUUID()));
      }
      const script = (scripts.length > 1 ? scripts.shift() : scripts[0]) as GraphScript;
      thread.queue = thread.queue.then(() => execute(fake, script, thread.messages)).catch(() => undefined);
      return json(res, 200, run, { "content-location": `/threads/${threadId}/runs/${runId}` });
    }
    const fake = runs.get(parts[3] ?? "");
    if (!fake || fake.run.thread_id !== threadId) return json(res, 404, { detail: "Run not found" });
    if (parts[4] === "cancel" && req.method === "POST") {
      if (fake.ended) return json(res, 409, { detail: "Run is not pending or running" });
      fake.cancelled.abort();
      return json(res, 202);
    }
    if (parts[4] === "stream" && req.method === "GET") return stream(req, res, fake);
    return json(res, 404, { detail: "Not found" });
  };

  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
    const apiKey = req.headers["x-api-key"] as string | undefined;
    requests.push({ line: `${req.method} ${req.url}`, body, apiKey });
    void route(req, res, body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    webhooks,
    respond(...next) {
      scripts.splice(0, scripts.length, ...next);
    },
    async webhooksDone(count) {
      while (webhooks.length < count) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
        });
      }
    },
    async redeliver(runId) {
      const fake = runs.get(runId);
      if (!fake?.payload) throw new Error(`run ${runId} has not ended`);
      return deliver(fake);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function stream(req: IncomingMessage, res: ServerResponse, fake: FakeRun): void {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store" });
  let next = req.headers["last-event-id"] === "-1" && fake.kwargs.resumable ? 0 : fake.events.length;
  const pump = () => {
    for (; next < fake.events.length; next++) {
      const { id, event, data } = fake.events[next] as FakeRun["events"][number];
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\nid: ${id}\n\n`);
    }
    if (fake.ended) {
      fake.listeners.delete(pump);
      res.end();
    }
  };
  fake.listeners.add(pump);
  res.on("close", () => fake.listeners.delete(pump));
  pump();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** A LangChain message serialised as LangGraph servers send it. */
function message(type: string, content: string, id: string): Record<string, unknown> {
  const base = { content, additional_kwargs: {}, response_metadata: {}, type, name: null, id };
  return type.startsWith("AI") || type === "ai"
    ? { ...base, example: false, tool_calls: [], invalid_tool_calls: [], usage_metadata: null }
    : base;
}
