import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./read-body.ts";

/** One step of a scripted Chat Completions stream. */
export type ChatStep =
  /** A chunk whose `choices[0].delta.content` is `content`. */
  | { readonly content: string }
  /** The chunk that carries `finish_reason` (empty delta). */
  | { readonly finish: "stop" | "length" | "content_filter" }
  /** Bytes written as they are, e.g. a malformed `data:` line. */
  | { readonly raw: string }
  /** An in-stream error object, as OpenAI sends when a stream fails after it started. */
  | { readonly error: { readonly message: string; readonly type: string; readonly code?: string } }
  | { readonly waitMs: number }
  /** `data: [DONE]`. */
  | "done"
  /** Destroys the connection where it stands. */
  | "drop";

/** What the server answers to one request. */
export type ChatResponse =
  | { readonly kind: "stream"; readonly steps: readonly ChatStep[] }
  | { readonly kind: "error"; readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> };

/** A request as the server received it; `outcome` settles when its response ends or the client goes away. */
export interface RecordedChatRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: { model: string; stream: boolean; messages: { role: string; content: string }[] };
  readonly outcome: Promise<"finished" | "closed by client">;
}

export interface FakeOpenAiServer {
  /** Base URL to give the client, ending in `/v1`. */
  readonly url: string;
  readonly requests: RecordedChatRequest[];
  /** Queues responses for the next requests; the last one queued keeps answering. */
  respond(...responses: ChatResponse[]): void;
  close(): Promise<void>;
}

/** A normal streamed reply: the role chunk, one chunk per piece (`paceMs` apart), `stop`, `[DONE]`. */
export function streamedReply(pieces: readonly string[], paceMs = 0): ChatResponse {
  const steps: ChatStep[] = [{ content: "" }];
  for (const content of pieces) steps.push(...(paceMs ? [{ waitMs: paceMs }] : []), { content });
  return { kind: "stream", steps: [...steps, { finish: "stop" }, "done"] };
}

/** An OpenAI-shaped error answer, e.g. `errorReply(429, "rate_limit_exceeded", { "retry-after-ms": "10" })`. */
export function errorReply(status: number, code: string, headers?: Record<string, string>): Extract<ChatResponse, { kind: "error" }> {
  const type = status === 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error";
  return { kind: "error", status, headers, body: { error: { message: `fake ${code}`, type, param: null, code } } };
}

/**
 * A local HTTP server on 127.0.0.1 that speaks OpenAI's `POST /v1/chat/completions`
 * with `stream: true`: `text/event-stream` of `data: <chunk JSON>` frames ending with
 * `data: [DONE]`. With `apiKey`, requests must carry `Authorization: Bearer <apiKey>`.
 */
export async function startFakeOpenAi(options: { apiKey?: string } = {}): Promise<FakeOpenAiServer> {
  const queue: ChatResponse[] = [streamedReply(["Hello", " from", " the", " fake", " model."])];
  const requests: RecordedChatRequest[] = [];
  let counter = 0;

  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const fail = (status: number, code: string) => sendError(res, errorReply(status, code));
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") return fail(404, "unknown_url");
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) return fail(401, "invalid_api_key");
    let body: RecordedChatRequest["body"];
    try {
      body = JSON.parse(raw);
    } catch {
      return fail(400, "invalid_json");
    }
    if (typeof body.model !== "string" || !Array.isArray(body.messages) || body.stream !== true) return fail(400, "invalid_request");
    const outcome = new Promise<"finished" | "closed by client">((resolve) =>
      res.on("close", () => resolve(res.writableFinished ? "finished" : "closed by client")),
    );
    requests.push({ headers: req.headers, body, outcome });
    const response = (queue.length > 1 ? queue.shift() : queue[0]) as ChatResponse;
    if (response.kind === "error") return sendError(res, response);
    void play(res, response.steps, `chatcmpl-fake${++counter}`, body.model);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    respond(...responses) {
      queue.splice(0, queue.length, ...responses);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendError(res: ServerResponse, response: Extract<ChatResponse, { kind: "error" }>): void {
  res.writeHead(response.status, { "content-type": "application/json", ...response.headers });
  res.end(JSON.stringify(response.body));
}

async function play(res: ServerResponse, steps: readonly ChatStep[], id: string, model: string): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-request-id": `req_${id}` });
  const chunk = (delta: object, finish: string | null) => ({
    id,
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model,
    system_fingerprint: "fp_fake",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  let first = true;
  for (const step of steps) {
    if (res.destroyed) return;
    if (step === "drop") return void res.socket?.destroy();
    if (step === "done") res.write("data: [DONE]\n\n");
    else if ("waitMs" in step) await new Promise((r) => setTimeout(r, step.waitMs));
    else if ("raw" in step) res.write(step.raw);
    else if ("error" in step) res.write(`data: ${JSON.stringify({ error: { param: null, code: null, ...step.error } })}\n\n`);
    else if ("finish" in step) res.write(`data: ${JSON.stringify(chunk({}, step.finish))}\n\n`);
    else {
      res.write(
        `data: ${JSON.stringify(chunk(first ? { role: "assistant", content: step.content } : { content: step.content }, null))}\n\n`,
      );
      first = false;
    }
  }
  res.end();
}
